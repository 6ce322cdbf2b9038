// Package static holds the web page the server ships: the map page, its
// modules (js/) and styles, and the vendored MapLibre GL JS (copied from
// npm by make into vendor/), embedded in the binary so it works with no
// network.
package static

import (
	"embed"
	"io/fs"
)

//go:embed index.html style.css js all:vendor
var files embed.FS

// FS is the page's files.
var FS fs.FS = files
