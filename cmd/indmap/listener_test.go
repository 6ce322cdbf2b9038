package main

import (
	"net"
	"testing"
	"time"
)

// TestLimitListener: past the per-address limit a new connection is
// closed at once; closing one frees its place.
func TestLimitListener(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newLimitListener(inner, 2, 10)
	defer ln.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a, b := dial(), dial()
	s1, s2 := <-accepted, <-accepted
	third := dial()
	// The listener closes the third at once: a read sees the end.
	third.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := third.Read(make([]byte, 1)); err == nil {
		t.Error("a third connection from one address was kept")
	}
	if all, mine := ln.counts("127.0.0.1"); all != 2 || mine != 2 {
		t.Errorf("counts %d, %d", all, mine)
	}
	s1.Close()
	a.Close()
	c := dial()
	select {
	case s3 := <-accepted:
		s3.Close()
	case <-time.After(2 * time.Second):
		t.Error("a connection after one closed was not accepted")
	}
	for _, x := range []net.Conn{b, s2, c, third} {
		x.Close()
	}
}
