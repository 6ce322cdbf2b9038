// Package static holds the web page the server ships, embedded in the
// binary so that it works with no network.
package static

import "embed"

// FS is the page's files.
//
//go:embed index.html
var FS embed.FS
