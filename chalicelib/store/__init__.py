"""The one DynamoDB table: key design (keys.py), item models (models.py), paging (paging.py)."""
