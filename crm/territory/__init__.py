"""Where things are: France's communes (shipped reference data), distances between them, and the
carbon of travelling them."""
