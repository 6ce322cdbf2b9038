module github.com/indmap/indmap

go 1.26.3

require github.com/paulmach/orb v0.14.0
