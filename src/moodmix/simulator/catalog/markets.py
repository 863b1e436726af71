"""Where tracks are available: ``availableCountries`` strings as ReccoBeats sends them.

A handful of shared strings (most releases everywhere, some regional), chosen per album::

    MARKETS[0][:11]          # 'AD,AE,AG,AL'...: the worldwide list
    len(MARKETS) == len(MARKET_SHARES)
"""

from __future__ import annotations

from typing import Final

_WORLD: Final = (
    "AD,AE,AG,AL,AM,AO,AR,AT,AU,AZ,BA,BB,BD,BE,BF,BG,BH,BI,BJ,BN,BO,BR,BS,BT,BW,BY,BZ,CA,CD,CG,"
    "CH,CI,CL,CM,CO,CR,CV,CW,CY,CZ,DE,DJ,DK,DM,DO,DZ,EC,EE,EG,ES,ET,FI,FJ,FM,FR,GA,GB,GD,GE,GH,"
    "GM,GN,GQ,GR,GT,GW,GY,HK,HN,HR,HT,HU,ID,IE,IL,IN,IQ,IS,IT,JM,JO,JP,KE,KG,KH,KI,KM,KN,KR,KW,"
    "KZ,LA,LB,LC,LI,LK,LR,LS,LT,LU,LV,LY,MA,MC,MD,ME,MG,MH,MK,ML,MN,MO,MR,MT,MU,MV,MW,MX,MY,MZ,"
    "NA,NE,NG,NI,NL,NO,NP,NR,NZ,OM,PA,PE,PG,PH,PK,PL,PR,PS,PT,PW,PY,QA,RO,RS,RW,SA,SB,SC,SE,SG,"
    "SI,SK,SL,SM,SN,SR,ST,SV,SZ,TD,TG,TH,TJ,TL,TN,TO,TR,TT,TV,TW,TZ,UA,UG,US,UY,UZ,VC,VE,VN,VU,"
    "WS,XK,ZA,ZM,ZW"
)
_OLDER: Final = (
    "AR,AU,AT,BE,BO,BR,BG,CA,CL,CO,CR,CY,CZ,DK,DO,DE,EC,EE,SV,FI,FR,GR,GT,HN,HK,HU,IS,IE,IT,LV,"
    "LT,LU,MY,MT,MX,NL,NZ,NI,NO,PA,PY,PE,PH,PL,PT,SG,SK,ES,SE,CH,TW,TR,UY,US,GB,JP,IN"
)
_NO_ASIA: Final = ",".join(c for c in _WORLD.split(",") if c not in {"JP", "KR", "HK", "TW", "MO"})
_NORTH_AMERICA: Final = "US,CA,MX,PR"
_EUROPE: Final = (
    "AT,BE,BG,CH,CY,CZ,DE,DK,EE,ES,FI,FR,GB,GR,HR,HU,IE,IS,IT,LI,LT,LU,LV,MT,NL,NO,PL,PT,RO,SE,"
    "SI,SK"
)
_LATAM: Final = "AR,BO,BR,CL,CO,CR,DO,EC,GT,HN,MX,NI,PA,PE,PR,PY,SV,UY,VE,US"

MARKETS: Final = (_WORLD, _OLDER, _NO_ASIA, _NORTH_AMERICA, _EUROPE, _LATAM)
"""The distinct ``availableCountries`` values in the catalog."""
MARKET_SHARES: Final = (0.78, 0.08, 0.05, 0.03, 0.03, 0.03)
"""How often each of ``MARKETS`` is an album's availability."""
