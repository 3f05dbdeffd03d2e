"""factory_boy factories, one module per app (Faker speaks en_GB: set in tests/conftest.py).

A factory builds a valid record with made-up details; a test names only what it is about:
`AreaFactory(district=DistrictFactory(code=GREAT_YARMOUTH), imd_decile=1)`. Records that a
service creates with checks and audit (a family, a booking) are made through that service, in
the app's fixtures (tests/fixtures/<app>.py), not here.
"""

import factory

# Made-up people and places sound like Norfolk's: British names, postcodes and telephone numbers.
# Set here, not in conftest, so the scripts that build worlds outside pytest get it too.
factory.Faker._DEFAULT_LOCALE = "en_GB"
