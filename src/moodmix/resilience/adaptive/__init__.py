"""The adaptive rate: a controller that finds an upstream's hidden limit and holds under it.

    from moodmix.resilience.adaptive import AdaptiveRate, Tuning
    control = AdaptiveRate(80 / 60, tuning=Tuning(hidden_burst=10))
    control.on_success(now, saturated=True); control.on_throttled(now, retry_after=2.0)
    control.learned()        # a ``Learned``, to resume from after a restart

``controller`` holds the method, ``tuning`` its knobs, ``learned`` what it keeps and shares,
``watch`` when it checks for a raise after a cut, ``firstcut`` how far the cold start's first
unmeasured 429 drops the rate (from its Retry-After).
"""

from moodmix.resilience.adaptive.controller import AdaptiveRate
from moodmix.resilience.adaptive.learned import Learned, SharedState, StateValue
from moodmix.resilience.adaptive.tuning import Tuning

__all__ = ["AdaptiveRate", "Learned", "SharedState", "StateValue", "Tuning"]
