from . import test_document_page
