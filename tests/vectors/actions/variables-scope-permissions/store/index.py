import os
ORDERS = os.environ['ORDERS_TABLE']
RECEIPTS = os.environ.get('RECEIPTS_BUCKET')
MAIL = os.getenv('MAIL_QUEUE')
