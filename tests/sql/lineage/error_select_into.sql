select a, b into new_table from t
