from . import test_document_page
from . import test_i18n
from . import test_page_access
