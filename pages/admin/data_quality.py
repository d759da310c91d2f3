"""Data quality: what in the registers needs fixing or chasing (warnings that do not reject
an import)."""
from pie.ui import data, layout, quality, session

scope = session.current_scope()
layout.page_header("data_quality")
quality.show(scope, data.reference_date(scope))
