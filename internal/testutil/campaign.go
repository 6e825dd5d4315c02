package testutil

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Campaign builds copy i of one spam campaign as bulk toolkits randomise
// it: a different recipient name in the greeting and subject, different
// order numbers and amounts, links with random tokens on a rotating set
// of hosts, shuffled paragraphs, and a paragraph of word salad. The same
// (seed, i) gives the same bytes.
func Campaign(seed uint64, i int) []byte {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	tok := func(n int) string {
		const al = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		b := make([]byte, n)
		for j := range b {
			b[j] = al[r.IntN(len(al))]
		}
		return string(b)
	}
	first, last := pick(campFirst), pick(campLast)
	host := pick([]string{"secure-rewards.example", "reward-center.test", "claim-now.example"})
	link := func() string {
		return fmt.Sprintf("https://%s.%s/c/%s?u=%s", strings.ToLower(tok(6)), host, tok(12), tok(16))
	}
	paras := []string{
		fmt.Sprintf("Your account number %d-%d has been selected for our annual loyalty reward. Only a small number of customers qualify every year, and your profile was chosen from more than %d,%03d active members.", r.IntN(9000)+1000, r.IntN(900)+100, r.IntN(90)+10, r.IntN(1000)),
		fmt.Sprintf("To receive your reward of $%d.%02d you must confirm your shipping details within 48 hours. After that time the reward will be released to the next customer on the waiting list and cannot be claimed again.", r.IntN(900)+100, r.IntN(100)),
		fmt.Sprintf("Claim your reward here: %s and complete the short survey of three questions. The survey takes less than one minute and helps us improve our service for loyal customers like you.", link()),
		fmt.Sprintf("Please note that a handling fee of $%d.%02d applies to cover insured delivery of your package. This fee is charged once and your reward ships the same day by express courier.", r.IntN(9)+1, r.IntN(100)),
		fmt.Sprintf("If you do not wish to receive reward notifications you can unsubscribe at %s at any time. This message was sent to you because you are a registered member of our customer program.", link()),
	}
	r.Shuffle(len(paras), func(a, b int) { paras[a], paras[b] = paras[b], paras[a] })
	salad := make([]string, 25+r.IntN(20))
	for j := range salad {
		salad[j] = pick(campSalad)
	}
	body := append([]string{fmt.Sprintf("Dear %s %s,", first, last)}, paras...)
	body = append(body, strings.Join(salad, " "), "Customer Rewards Team")
	var html strings.Builder
	html.WriteString("<html><body><table><tr><td>")
	for _, p := range body {
		fmt.Fprintf(&html, "<p>%s</p>\n", p)
	}
	html.WriteString("</td></tr></table></body></html>")
	subj := fmt.Sprintf(pick([]string{"%s, your loyalty reward is waiting", "Reward notice for %s", "%s: confirm your reward today"}), first)
	from := fmt.Sprintf("%s@%s", strings.ToLower(tok(8)), pick([]string{"mailer-one.example", "bulk-two.test", "news-three.example"}))
	bd := "b" + tok(10)
	var m strings.Builder
	fmt.Fprintf(&m, "From: Rewards <%s>\r\nTo: %s.%s@example.org\r\nSubject: %s\r\nMessage-ID: <%s@%s>\r\n", from, strings.ToLower(first), strings.ToLower(last), subj, tok(20), host)
	fmt.Fprintf(&m, "Date: Mon, 2 Nov 2026 10:%02d:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", r.IntN(60), bd)
	fmt.Fprintf(&m, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", bd, strings.Join(body, "\r\n\r\n"))
	fmt.Fprintf(&m, "--%s\r\nContent-Type: text/html; charset=utf-8\r\n\r\n%s\r\n--%s--\r\n", bd, html.String(), bd)
	return []byte(m.String())
}

var (
	campFirst = []string{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Hiroshi", "Yuki"}
	campLast  = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Taylor", "Moore", "Tanaka", "Suzuki"}
	campSalad = strings.Fields(`apple river mountain quiet yellow garden window hammer silver ocean pencil candle forest bridge winter summer autumn spring lantern copper velvet marble orchard meadow harbor island desert canyon valley thunder breeze shadow crystal feather pillow blanket kettle teapot saucer ladder basket bucket rocket planet comet galaxy nebula orbit gravity magnet compass anchor sailor captain pirate treasure castle tower dragon knight wizard potion scroll riddle puzzle mirror clock engine wheel tunnel railway station ticket journey passport luggage camera picture canvas brush palette sculpture statue museum gallery theater concert violin guitar trumpet drum melody rhythm harmony chorus poem novel chapter library author reader letter envelope stamp parcel courier market bakery butcher grocer farmer tractor harvest barley wheat cotton linen wool leather timber granite pebble boulder glacier volcano tundra prairie savanna jungle swamp lagoon reef coral dolphin whale salmon trout heron falcon sparrow robin owl badger otter beaver rabbit squirrel`)
)
