package lure
