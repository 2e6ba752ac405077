import os
TOKEN_ARN = os.environ['API_TOKEN_SECRET']
