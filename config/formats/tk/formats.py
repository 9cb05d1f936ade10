# The admin shows dates one way in every language (config/formats/en/formats.py): staff
# compare them with the API's and the sources' ISO dates. The public pages write days as
# the reader's language does (pages/formats.py).
from config.formats.en.formats import *  # noqa: F403
