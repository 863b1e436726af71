"""Generic resilience primitives: nothing here knows about music or HTTP.

from moodmix.resilience import Scheduler, TokenBucket, AdaptiveRate, SingleFlight
"""

from moodmix.resilience.adaptive import AdaptiveRate, Learned, Tuning
from moodmix.resilience.breaker import CircuitBreaker, CircuitOpen, Trip
from moodmix.resilience.latebatch import LateBatcher
from moodmix.resilience.retry import RetryBudget, RetryDecision, RetryPolicy, retry, retry_on
from moodmix.resilience.scheduler import BACKGROUND, INTERACTIVE, Priority, Scheduler, Unsent
from moodmix.resilience.singleflight import SingleFlight
from moodmix.resilience.tokenbucket import TokenBucket

__all__ = [
    "BACKGROUND",
    "INTERACTIVE",
    "AdaptiveRate",
    "CircuitBreaker",
    "CircuitOpen",
    "LateBatcher",
    "Learned",
    "Priority",
    "RetryBudget",
    "RetryDecision",
    "RetryPolicy",
    "Scheduler",
    "SingleFlight",
    "TokenBucket",
    "Trip",
    "Tuning",
    "Unsent",
    "retry",
    "retry_on",
]
