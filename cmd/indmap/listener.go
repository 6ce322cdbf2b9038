package main

import (
	"net"
	"sync"

	"github.com/indmap/indmap/api"
)

// limitListener bounds the connections a server holds open: at most
// perPeer from one address and total in all; past either, a new
// connection is closed at once. A client that opens connections and
// holds them would otherwise take every file descriptor the server has.
type limitListener struct {
	net.Listener
	perPeer, total int // 0: no limit

	mu     sync.Mutex
	opened int
	per    map[string]int
}

func newLimitListener(ln net.Listener, perPeer, total int) *limitListener {
	return &limitListener{Listener: ln, perPeer: perPeer, total: total, per: map[string]int{}}
}

// Accept returns the next connection within the limits.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host, _, err := net.SplitHostPort(c.RemoteAddr().String())
		if err != nil {
			host = c.RemoteAddr().String()
		}
		host = api.ClientKey(host) // an IPv6 /64 is one peer
		l.mu.Lock()
		if l.total > 0 && l.opened >= l.total || l.perPeer > 0 && l.per[host] >= l.perPeer {
			l.mu.Unlock()
			c.Close()
			continue
		}
		l.opened++
		l.per[host]++
		l.mu.Unlock()
		return &limitedConn{Conn: c, l: l, host: host}, nil
	}
}

// counts are the connections open, in all and from host.
func (l *limitListener) counts(host string) (int, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.opened, l.per[host]
}

type limitedConn struct {
	net.Conn
	l    *limitListener
	host string
	once sync.Once
}

func (c *limitedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.opened--
		if c.l.per[c.host]--; c.l.per[c.host] <= 0 {
			delete(c.l.per, c.host)
		}
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
