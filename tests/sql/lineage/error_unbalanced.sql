select coalesce(a, b as c from t
