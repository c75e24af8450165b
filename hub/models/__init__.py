from .observatory import Indicator, IndicatorValue
from .pages import HomePage, StandardPage
from .settings import OperatorSettings
from .taxonomy import Programme, Thematic
from .territories import EPCI, Commune, Department, Region, population_band

__all__ = [
    "EPCI",
    "Commune",
    "Department",
    "HomePage",
    "Indicator",
    "IndicatorValue",
    "OperatorSettings",
    "Programme",
    "Region",
    "StandardPage",
    "Thematic",
    "population_band",
]
