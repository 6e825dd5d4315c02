package url

// TestBrands is the fake brand list, for the engine-level tests.
var TestBrands BrandMatcher = testBrands
