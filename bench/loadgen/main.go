// route-loadgen: the project's load generator, built on the official Go client (nats.go as packaged
// by Debian: golang-github-nats-io-go-nats-dev), so Modular and nats-server are driven by the same
// independent client. Adapted from the shared benchmark's loadgen (same flow control, same
// request/reply latency loop), plus a payload choice and the modes bench/all.sh needs.
//
// Modes (-mode):
//
//	pubsub  : one publisher on -pub-url (node A), -ns subscribers spread over -sub-url (node B, C...).
//	          With -window > 0 the publisher waits while the slowest subscriber is more than -window
//	          bytes (payload+64 per message, approximately) behind: a sustainable, lossless rate.
//	reqrep  : one responder on -sub-url, one requester on -pub-url, sequential requests for -t;
//	          prints p50/p90/p99/max latency.
//	hold    : -conns clients on -sub-url, -subs subscriptions (subjects <subj>.hold.<i>) spread over
//	          them; waits until that interest has reached -pub-url's node (when it differs), prints
//	          "READY ..." and holds everything until -t has passed (or a signal ends it).
//	startup : launches -cmd (bash -c "exec CMD"), dials 127.0.0.1:-port every millisecond until it
//	          answers with INFO, prints the time from launch to INFO, then stops the process
//	          (SIGTERM, SIGKILL after 5 s).
//	ports   : prints -n free TCP ports of 127.0.0.1 (asked of the OS) and exits.
//
// Payloads (-payload) are deterministic: a pool of distinct payloads is made from -seed before the
// run and message i carries pool[i % len(pool)], so every server (and every mode) gets the same
// bytes in the same order. The pool holds at least 16 MiB of payload (at most 1M payloads), more
// than any route flush, so S2 cannot win by finding a whole earlier message in the same flush.
//
//	-payload letters : 'a'+i%26 repeated (what the shared loadgen sends; unrealistically compressible)
//	-payload json    : JSON order events (ids, amounts, timestamps, SKUs, cities ... vary per message)
//	-payload random  : random bytes (incompressible)
//
// Every loop is bounded: publishing stops after -n messages or -t, whichever comes first; the drain
// stops when every subscriber has everything or nothing arrived for -idle; a flow-control stall ends
// at -t + -idle; interest waits end after -sync.
//
// Build (GOPATH mode, offline): see build.sh. Output: one line per side, e.g.
//
//	RESULT side=pub msgs=... bytes=... secs=... msgs_per_sec=... mb_per_sec=...
//	RESULT side=sub msgs=... expected=... lost=... bytes=... secs=... msgs_per_sec=... mb_per_sec=...
//	RESULT side=lat count=... p50_us=... p90_us=... p99_us=... max_us=... req_per_sec=...
//	RESULT side=startup ms=...
//
// -sample N prints the first N payloads (one per line, random ones in hex) and exits.
package main

import (
	"bufio"
	"encoding/hex"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
)

var (
	mode      = flag.String("mode", "pubsub", "pubsub | reqrep | hold | startup | ports")
	pubURL    = flag.String("pub-url", "nats://127.0.0.1:4222", "URL of the publisher's node (A)")
	subURLs   = flag.String("sub-url", "", "URL(s) of the subscribers' node(s) (B), comma separated (default: pub-url)")
	numSubs   = flag.Int("ns", 1, "number of subscribers")
	numMsgs   = flag.Int("n", 5000000, "messages to publish at most")
	msgSize   = flag.Int("ms", 1024, "payload size in bytes")
	payload   = flag.String("payload", "json", "letters | json | random")
	seed      = flag.Int64("seed", 1, "seed of the payload pool")
	subject   = flag.String("subj", "bench.route", "subject")
	maxTime   = flag.Duration("t", 3*time.Second, "time cap of the publishing phase")
	drainWait = flag.Duration("idle", 3*time.Second, "subscribers give up after this long without progress")
	syncWait  = flag.Duration("sync", 10*time.Second, "max time to wait for interest to cross the route")
	window    = flag.Int("window", 8<<20, "flow control: max bytes (payload+64 per msg) the publisher may be ahead of the slowest subscriber; 0 = open loop")
	sample    = flag.Int("sample", 0, "print the first N payloads and exit")
	quiet     = flag.Bool("q", false, "only print RESULT lines")
	numConns  = flag.Int("conns", 1, "hold: client connections")
	numHold   = flag.Int("subs", 0, "hold: subscriptions, spread over the connections")
	command   = flag.String("cmd", "", "startup: the command that starts one server in the foreground")
	port      = flag.Int("port", 0, "startup: the client port the command's server listens on")
)

func logf(format string, a ...interface{}) {
	if !*quiet {
		fmt.Fprintf(os.Stderr, format+"\n", a...)
	}
}

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "route-loadgen: "+format+"\n", a...)
	os.Exit(2)
}

// ---- payloads ----

var (
	events    = []string{"order.created", "order.paid", "order.packed", "order.shipped", "order.delivered", "order.cancelled", "order.refunded"}
	statuses  = []string{"NEW", "PAID", "PACKED", "SHIPPED", "DELIVERED", "CANCELLED", "REFUNDED"}
	currency  = []string{"EUR", "USD", "GBP", "CHF", "SEK", "PLN"}
	channels  = []string{"web", "ios", "android", "pos", "partner-api"}
	payments  = []string{"card", "paypal", "sepa_debit", "apple_pay", "klarna", "gift_card"}
	carriers  = []string{"DHL", "UPS", "FedEx", "GLS", "DPD", "PostNL", "La Poste"}
	cities    = []string{"Berlin", "Hamburg", "München", "Köln", "Amsterdam", "Rotterdam", "Paris", "Lyon", "Madrid", "Barcelona", "Milano", "Roma", "Wien", "Zürich", "Praha", "Warszawa", "København", "Stockholm", "Oslo", "Dublin", "London", "Manchester", "Lisboa", "Porto", "Bruxelles"}
	countries = []string{"DE", "DE", "DE", "DE", "NL", "NL", "FR", "FR", "ES", "ES", "IT", "IT", "AT", "CH", "CZ", "PL", "DK", "SE", "NO", "IE", "GB", "GB", "PT", "PT", "BE"}
	streets   = []string{"Hauptstraße", "Bahnhofstraße", "Kerkstraat", "Rue de la Paix", "Calle Mayor", "Via Roma", "Main Street", "High Street", "Rua Augusta", "Storgatan"}
	products  = []string{"Espresso beans 1kg", "Ceramic mug", "Pour-over kettle", "Paper filters (100)", "Hand grinder", "Milk frother", "Travel tumbler", "Descaler", "Cold brew jar", "Tea sampler", "Oat milk 6x1l", "Burr set"}
	noteWords = []string{"please", "leave", "the", "parcel", "at", "the", "door", "ring", "twice", "gift", "wrap", "no", "invoice", "in", "box", "call", "before", "delivery", "back", "entrance", "floor", "2", "left", "neighbour", "accepts", "fragile", "handle", "with", "care", "thanks"}
	hexdigits = "0123456789abcdef"
	alnum     = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
)

func pick(r *rand.Rand, s []string) string { return s[r.Intn(len(s))] }

func randStr(r *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.Intn(len(alphabet))]
	}
	return string(b)
}

func uuid(r *rand.Rand) string {
	s := randStr(r, hexdigits, 32)
	return s[0:8] + "-" + s[8:12] + "-4" + s[13:16] + "-" + s[16:20] + "-" + s[20:32]
}

func money(cents int) string { return strconv.Itoa(cents/100) + "." + fmt.Sprintf("%02d", cents%100) }

// jsonRecord builds one order event of exactly size bytes: fields are added while they fit, then
// line items while they fit, then a "note" of words fills the rest (below 40 bytes: {"id":<digits>}).
func jsonRecord(r *rand.Rand, i int, size int) []byte {
	ts := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*37*time.Millisecond + time.Duration(r.Intn(1000))*time.Microsecond)
	if size < 40 { // {"id":NNN} (16 B: 9 digits), or digits alone below 8 B
		if size < 8 {
			return []byte(randStr(r, "0123456789", size))
		}
		return []byte(`{"id":` + randStr(r, "0123456789", size-7) + `}`)
	}
	var b strings.Builder
	ev := r.Intn(len(events))
	ci := r.Intn(len(cities))
	fields := []string{
		`"event":"` + events[ev] + `"`,
		`"id":"` + uuid(r) + `"`,
		`"seq":` + strconv.Itoa(1000000+i),
		`"ts":"` + ts.Format("2006-01-02T15:04:05.000000Z") + `"`,
		`"order_id":"ORD-` + strconv.Itoa(2024000000+r.Intn(999999)) + `"`,
		`"customer":{"id":` + strconv.Itoa(10000+r.Intn(900000)) + `,"tier":"` + pick(r, []string{"basic", "silver", "gold", "platinum"}) + `","email":"` + strings.ToLower(randStr(r, alnum, 6+r.Intn(6))) + `@example.` + pick(r, []string{"com", "org", "net", "de", "fr"}) + `"}`,
		`"status":"` + statuses[ev] + `"`,
		`"channel":"` + pick(r, channels) + `"`,
		`"currency":"` + pick(r, currency) + `"`,
		`"payment":{"method":"` + pick(r, payments) + `","auth_code":"` + randStr(r, alnum, 8) + `","captured":` + strconv.FormatBool(r.Intn(4) != 0) + `}`,
		`"shipping":{"carrier":"` + pick(r, carriers) + `","tracking":"` + randStr(r, alnum, 14) + `","address":{"street":"` + pick(r, streets) + ` ` + strconv.Itoa(1+r.Intn(240)) + `","city":"` + cities[ci] + `","zip":"` + strconv.Itoa(10000+r.Intn(89999)) + `","country":"` + countries[ci] + `"},"eta_days":` + strconv.Itoa(1+r.Intn(9)) + `}`,
	}
	b.WriteString("{")
	total := 0
	add := func(f string) bool {
		// keep room for ,"note":"x"}
		if b.Len()+len(f)+1+len(`,"note":"x"}`) > size {
			return false
		}
		if b.Len() > 1 {
			b.WriteString(",")
		}
		b.WriteString(f)
		return true
	}
	for _, f := range fields {
		if !add(f) {
			break
		}
	}
	// items until the next one (plus the closing ], the total and the note) would not fit; bounded
	items := ""
	for k := 0; k < 64; k++ {
		qty := 1 + r.Intn(4)
		price := 199 + r.Intn(12000)
		it := `{"sku":"SKU-` + strconv.Itoa(10000+r.Intn(2000)) + `","name":"` + pick(r, products) + `","qty":` + strconv.Itoa(qty) + `,"unit_price":` + money(price) + `,"discount":` + money(r.Intn(4)*50) + `}`
		next := items
		if next != "" {
			next += ","
		}
		next += it
		tot := `,"total":` + money(total+qty*price)
		if b.Len()+len(`,"items":[`)+len(next)+1+len(tot)+len(`,"note":"x"}`) > size {
			break
		}
		items = next
		total += qty * price
	}
	if items != "" {
		if b.Len() > 1 {
			b.WriteString(",")
		}
		b.WriteString(`"items":[` + items + `],"total":` + money(total))
	}
	// fill: "note":"<words>"} to exactly size bytes (less than one item's worth)
	if b.Len() > 1 {
		b.WriteString(",")
	}
	b.WriteString(`"note":"`)
	rest := size - b.Len() - len(`"}`)
	var note strings.Builder
	for note.Len() < rest {
		note.WriteString(pick(r, noteWords))
		note.WriteString(" ")
	}
	b.WriteString(note.String()[:rest])
	b.WriteString(`"}`)
	out := []byte(b.String())
	if len(out) != size {
		die("json payload %d has %d bytes, not %d", i, len(out), size)
	}
	return out
}

func makePool() [][]byte {
	n := (16 << 20) / max(1, *msgSize)
	if n < 1024 {
		n = 1024
	}
	if n > 1<<20 {
		n = 1 << 20
	}
	r := rand.New(rand.NewSource(*seed))
	pool := make([][]byte, 0, n)
	switch *payload {
	case "letters":
		p := make([]byte, *msgSize)
		for i := range p {
			p[i] = 'a' + byte(i%26)
		}
		return [][]byte{p}
	case "json":
		for i := 0; i < n; i++ {
			pool = append(pool, jsonRecord(r, i, *msgSize))
		}
	case "random":
		all := make([]byte, n**msgSize)
		r.Read(all)
		for i := 0; i < n; i++ {
			pool = append(pool, all[i**msgSize:(i+1)**msgSize])
		}
	default:
		die("unknown -payload %q (letters | json | random)", *payload)
	}
	return pool
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// ---- run ----

func connect(url, name string) *nats.Conn {
	nc, err := nats.Connect(url,
		nats.Name(name),
		nats.NoReconnect(),
		nats.ReconnectBufSize(-1),
		nats.ErrorHandler(func(_ *nats.Conn, s *nats.Subscription, err error) {
			fmt.Fprintf(os.Stderr, "route-loadgen: async error on %s: %v\n", name, err)
		}),
	)
	if err != nil {
		die("connect %s (%s): %v", url, name, err)
	}
	return nc
}

// waitInterest: each subscriber subscribes to the bench subject, then to a private sync subject with
// a responder; routes are ordered, so once a request from node A reaches the responder, the bench
// subject's interest has reached node A too.
func waitInterest(pub *nats.Conn, syncSubj string) {
	deadline := time.Now().Add(*syncWait)
	for {
		_, err := pub.Request(syncSubj, nil, 250*time.Millisecond)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			die("interest for %s did not propagate within %v: %v", syncSubj, *syncWait, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type subStat struct {
	count int64 // atomic
	first int64 // unix nanos, atomic
	last  int64 // unix nanos, atomic
	bad   int64 // atomic: payloads of the wrong length
}

func main() {
	flag.Parse()
	if *msgSize < 1 {
		die("-ms must be at least 1")
	}
	switch *mode {
	case "hold":
		runHold()
		return
	case "startup":
		runStartup()
		return
	case "ports":
		runPorts()
		return
	}
	pool := makePool()
	if *sample > 0 {
		for i := 0; i < *sample && i < len(pool); i++ {
			if *payload == "random" {
				fmt.Println(hex.EncodeToString(pool[i]))
			} else {
				fmt.Println(string(pool[i]))
			}
		}
		return
	}

	switch *mode {
	case "pubsub":
		runPubSub(pool)
	case "reqrep":
		runReqRep(pool)
	default:
		die("unknown -mode %q (pubsub | reqrep | hold | startup | ports)", *mode)
	}
}

func splitURLs() []string {
	s := *subURLs
	if s == "" {
		s = *pubURL
	}
	var urls []string
	for _, u := range strings.Split(s, ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	return urls
}

func runPubSub(pool [][]byte) {
	urls := splitURLs()
	if *numSubs < 1 {
		die("-ns must be at least 1")
	}

	stats := make([]*subStat, *numSubs)
	subConns := make([]*nats.Conn, *numSubs)
	size := *msgSize
	for i := 0; i < *numSubs; i++ {
		st := &subStat{}
		stats[i] = st
		nc := connect(urls[i%len(urls)], fmt.Sprintf("route-loadgen-sub-%d", i))
		subConns[i] = nc
		sub, err := nc.Subscribe(*subject, func(m *nats.Msg) {
			now := time.Now().UnixNano()
			if len(m.Data) != size {
				atomic.AddInt64(&st.bad, 1)
			}
			if atomic.AddInt64(&st.count, 1) == 1 {
				atomic.StoreInt64(&st.first, now)
			}
			atomic.StoreInt64(&st.last, now)
		})
		if err != nil {
			die("subscribe: %v", err)
		}
		sub.SetPendingLimits(-1, -1)
		if _, err := nc.Subscribe(fmt.Sprintf("_RLG.sync.%d.%d", os.Getpid(), i), func(m *nats.Msg) { m.Respond(nil) }); err != nil {
			die("subscribe sync: %v", err)
		}
		if err := nc.Flush(); err != nil {
			die("flush sub: %v", err)
		}
	}
	pub := connect(*pubURL, "route-loadgen-pub")
	for i := 0; i < *numSubs; i++ {
		waitInterest(pub, fmt.Sprintf("_RLG.sync.%d.%d", os.Getpid(), i))
	}
	logf("route-loadgen: pub -> %s, %d subs -> %v, %s payload, %d msgs x %d B at most (cap %v), pool of %d",
		*pubURL, *numSubs, urls, *payload, *numMsgs, size, *maxTime, len(pool))

	winMsgs := int64(0)
	if *window > 0 {
		winMsgs = int64(*window / (size + 64))
		if winMsgs < 1024 {
			winMsgs = 1024
		}
	}
	minSub := func() int64 {
		m := int64(-1)
		for _, st := range stats {
			if c := atomic.LoadInt64(&st.count); m < 0 || c < m {
				m = c
			}
		}
		return m
	}
	var stalls int64
	var payloadBytes int64
	pubStart := time.Now()
	deadline := pubStart.Add(*maxTime)
	n := 0
	for n < *numMsgs {
		p := pool[n%len(pool)]
		if err := pub.Publish(*subject, p); err != nil {
			fmt.Fprintf(os.Stderr, "route-loadgen: publish: %v\n", err)
			break
		}
		payloadBytes += int64(len(p))
		n++
		if n&255 == 0 {
			if winMsgs > 0 {
				for int64(n)-minSub() > winMsgs {
					stalls++
					time.Sleep(50 * time.Microsecond)
					if time.Now().After(deadline.Add(*drainWait)) {
						break
					}
				}
			}
			if n&1023 == 0 && time.Now().After(deadline) {
				break
			}
		}
	}
	if err := pub.FlushTimeout(30 * time.Second); err != nil {
		fmt.Fprintf(os.Stderr, "route-loadgen: pub flush: %v\n", err)
	}
	pubSecs := time.Since(pubStart).Seconds()
	fmt.Printf("RESULT side=pub msgs=%d bytes=%d secs=%.3f msgs_per_sec=%.0f mb_per_sec=%.2f\n",
		n, payloadBytes, pubSecs, float64(n)/pubSecs, float64(payloadBytes)/pubSecs/1e6)

	expected := int64(n)
	lastTotal := int64(-1)
	lastProgress := time.Now()
	for {
		var total int64
		done := true
		for _, st := range stats {
			c := atomic.LoadInt64(&st.count)
			total += c
			if c < expected {
				done = false
			}
		}
		if done {
			break
		}
		if total != lastTotal {
			lastTotal = total
			lastProgress = time.Now()
		} else if time.Since(lastProgress) > *drainWait {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	var recv, bad, minFirst, maxLast int64
	for i, st := range stats {
		c := atomic.LoadInt64(&st.count)
		recv += c
		bad += atomic.LoadInt64(&st.bad)
		f, l := atomic.LoadInt64(&st.first), atomic.LoadInt64(&st.last)
		if c > 0 {
			if minFirst == 0 || f < minFirst {
				minFirst = f
			}
			if l > maxLast {
				maxLast = l
			}
		}
		if c != expected {
			fmt.Fprintf(os.Stderr, "route-loadgen: sub %d received %d of %d\n", i, c, expected)
		}
	}
	subSecs := float64(maxLast-minFirst) / 1e9
	if subSecs <= 0 {
		subSecs = 1e-9
	}
	fmt.Printf("RESULT side=sub subs=%d msgs=%d expected=%d lost=%d bad_size=%d bytes=%d secs=%.3f msgs_per_sec=%.0f mb_per_sec=%.2f window_msgs=%d pub_stalls=%d\n",
		*numSubs, recv, expected*int64(*numSubs), expected*int64(*numSubs)-recv, bad, recv*int64(size), subSecs,
		float64(recv)/subSecs, float64(recv*int64(size))/subSecs/1e6, winMsgs, stalls)
	pub.Close()
	for _, nc := range subConns {
		nc.Close()
	}
}

// runReqRep: sequential requests from -pub-url to a responder on -sub-url until -n or -t; the
// latency of each is the round trip the requester sees (the shared loadgen's loop).
func runReqRep(pool [][]byte) {
	urls := splitURLs()
	rep := connect(urls[0], "route-loadgen-responder")
	if _, err := rep.Subscribe(*subject, func(m *nats.Msg) { m.Respond(m.Data) }); err != nil {
		die("subscribe: %v", err)
	}
	if err := rep.Flush(); err != nil {
		die("flush responder: %v", err)
	}
	req := connect(*pubURL, "route-loadgen-requester")
	deadline := time.Now().Add(*syncWait)
	for {
		if _, err := req.Request(*subject, pool[0], 250*time.Millisecond); err == nil {
			break
		} else if time.Now().After(deadline) {
			die("responder not reachable within %v: %v", *syncWait, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := 0; i < 100; i++ { // warm both ends' paths before measuring
		req.Request(*subject, pool[i%len(pool)], time.Second)
	}
	logf("route-loadgen: reqrep requester %s -> responder %s, %d reqs x %d B at most (cap %v)", *pubURL, urls[0], *numMsgs, *msgSize, *maxTime)
	lat := make([]time.Duration, 0, 1<<16)
	start := time.Now()
	stop := start.Add(*maxTime)
	errs := 0
	for i := 0; i < *numMsgs; i++ {
		t0 := time.Now()
		if t0.After(stop) {
			break
		}
		_, err := req.Request(*subject, pool[i%len(pool)], 5*time.Second)
		if err != nil {
			errs++
		} else {
			lat = append(lat, time.Since(t0))
		}
	}
	el := time.Since(start).Seconds()
	if len(lat) == 0 {
		die("no successful requests")
	}
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	pct := func(p float64) float64 {
		idx := int(p*float64(len(lat))+0.5) - 1
		if idx < 0 {
			idx = 0
		}
		if idx >= len(lat) {
			idx = len(lat) - 1
		}
		return float64(lat[idx].Nanoseconds()) / 1e3
	}
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	fmt.Printf("RESULT side=lat count=%d errors=%d secs=%.3f req_per_sec=%.0f p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f mean_us=%.1f\n",
		len(lat), errs, el, float64(len(lat))/el, pct(0.50), pct(0.90), pct(0.99),
		float64(lat[len(lat)-1].Nanoseconds())/1e3, float64(sum.Nanoseconds())/float64(len(lat))/1e3)
	req.Close()
	rep.Close()
}

// runHold: -conns clients on the first -sub-url, -subs subscriptions over them; once the interest
// has reached -pub-url's node (routes are ordered: a request from there reaching a sync responder
// subscribed last proves every earlier subscription arrived too), prints READY and holds.
func runHold() {
	urls := splitURLs()
	if *numConns < 1 {
		die("-conns must be at least 1")
	}
	conns := make([]*nats.Conn, *numConns)
	for i := range conns {
		conns[i] = connect(urls[0], fmt.Sprintf("route-loadgen-hold-%d", i))
	}
	t0 := time.Now()
	// One shared channel: an async subscription would start a goroutine per subscription and a
	// sync one a 64k-slot channel each. Nothing is published to these subjects.
	sink := make(chan *nats.Msg, 64)
	for i := 0; i < *numHold; i++ {
		if _, err := conns[i%len(conns)].ChanSubscribe(*subject+".hold."+strconv.Itoa(i), sink); err != nil {
			die("subscribe %d: %v", i, err)
		}
	}
	syncSubj := fmt.Sprintf("_RLG.hold.%d", os.Getpid())
	last := conns[(*numHold+len(conns)-1)%len(conns)] // the connection that subscribed last
	if _, err := last.Subscribe(syncSubj, func(m *nats.Msg) { m.Respond(nil) }); err != nil {
		die("subscribe sync: %v", err)
	}
	for _, nc := range conns {
		if err := nc.FlushTimeout(*syncWait); err != nil {
			die("flush hold: %v", err)
		}
	}
	if *pubURL != urls[0] {
		probe := connect(*pubURL, "route-loadgen-hold-probe")
		waitInterest(probe, syncSubj)
		defer probe.Close()
	}
	fmt.Printf("READY conns=%d subs=%d secs=%.3f\n", *numConns, *numHold, time.Since(t0).Seconds())
	os.Stdout.Sync()
	time.Sleep(*maxTime) // until -t, or until a signal ends the process
	for _, nc := range conns {
		nc.Close()
	}
}

// runStartup: launch → the first INFO line on the client port, dialled every millisecond.
func runStartup() {
	if *command == "" || *port == 0 {
		die("startup needs -cmd and -port")
	}
	addr := "127.0.0.1:" + strconv.Itoa(*port)
	cmd := exec.Command("bash", "-c", "exec "+*command)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		die("start %q: %v", *command, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	deadline := t0.Add(*maxTime)
	for {
		if info(addr) {
			ms := float64(time.Since(t0).Microseconds()) / 1e3
			stop()
			fmt.Printf("RESULT side=startup ms=%.1f\n", ms)
			return
		}
		select {
		case err := <-exited:
			die("%q exited before answering: %v", *command, err)
		default:
		}
		if time.Now().After(deadline) {
			stop()
			die("no INFO on %s within %v", addr, *maxTime)
		}
		time.Sleep(time.Millisecond)
	}
}

// info: true when addr accepts a connection and its first line is INFO.
func info(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "INFO")
}

// runPorts: -n ports the OS hands out for 127.0.0.1:0, all held open until printed so they differ.
func runPorts() {
	if *numMsgs < 1 || *numMsgs > 100 {
		die("ports: -n must be 1..100")
	}
	ls := make([]net.Listener, *numMsgs)
	out := make([]string, *numMsgs)
	for i := range ls {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			die("listen: %v", err)
		}
		ls[i] = l
		out[i] = strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	fmt.Println(strings.Join(out, " "))
}
