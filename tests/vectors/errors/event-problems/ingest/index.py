def handler(e, c):\n    pass
