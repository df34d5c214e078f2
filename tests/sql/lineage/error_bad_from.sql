select a from t x y z
