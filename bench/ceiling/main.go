// Command ceiling is the bare server make bench-ceiling measures indmap
// against: plain net/http answering, from a map, the very bytes and
// headers indmap answered for each tile of a list (its X-Request-Id
// included, the same for every answer). What indmap spends
// on a cached tile beyond this is its own overhead.
//
//	ceiling --from http://127.0.0.1:8080 --tiles tiles.txt --addr 127.0.0.1:8090
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
)

// answer is one tile's stored response.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// skipped are the headers net/http writes itself; every other header
// indmap sent is sent again, so both answers are the same bytes.
var skipped = map[string]bool{"Date": true, "Content-Length": true}

func main() {
	from := flag.String("from", "", "indmap server to copy the tiles from")
	list := flag.String("tiles", "", "file of tile paths, one a line")
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	flag.Parse()
	tiles, err := load(*from, *list)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("%d tiles from %s; listening on %s", len(tiles), *from, *addr)
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := tiles[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		for k, v := range a.header {
			h[k] = v
		}
		w.WriteHeader(a.status)
		w.Write(a.body)
	})))
}

// load GETs each tile once, gzip accepted as browsers do.
func load(from, list string) (map[string]answer, error) {
	f, err := os.Open(list)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]answer{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := sc.Text()
		if _, ok := out[p]; ok || p == "" {
			continue
		}
		req, _ := http.NewRequest(http.MethodGet, from+p, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
			return nil, fmt.Errorf("%s: %s", p, resp.Status)
		}
		a := answer{status: resp.StatusCode, header: http.Header{}, body: body}
		for k, v := range resp.Header {
			if !skipped[k] {
				a.header[k] = v
			}
		}
		out[p] = a
	}
	return out, sc.Err()
}
