import os
TABLE = os.environ['ORDERS_TABLE']
