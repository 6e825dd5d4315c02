package tokenize

import "testing"

// This file sorts first so the test runs before any other test of the
// package has loaded the dictionary.
func TestDictionaryLoadedLazily(t *testing.T) {
	if Loaded() {
		t.Skip("dictionary already loaded by an earlier test")
	}
	Words("plain ascii text, numbers 12345 and Ünïcödé only", 100)
	if Loaded() {
		t.Fatal("the IPA dictionary was loaded for text without Han or kana")
	}
	Words("関所を通る", 100)
	if !Loaded() {
		t.Fatal("the IPA dictionary was not loaded for Japanese text")
	}
}
