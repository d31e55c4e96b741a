"""Files leaders and admins can download or forward: workbooks and documents built from the database."""
