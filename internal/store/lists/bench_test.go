package lists

import (
	"context"
	"fmt"
	"testing"

	"github.com/sekisho/sekisho/internal/mail"
	"github.com/sekisho/sekisho/internal/pipeline"
)

// BenchmarkMatch: the lookup every live inbound scan makes, with 10 000
// entries over 1 000 recipients and two recipients per message.
func BenchmarkMatch(b *testing.B) {
	s := open(b)
	ctx := context.Background()
	tx, _ := s.db.Begin()
	for i := 0; i < 10000; i++ {
		_, _ = tx.Exec(`INSERT INTO sender_list (scope, kind, value, by_user, created_at) VALUES (?, ?, ?, '', 0)`,
			fmt.Sprintf("u%d@example.jp", i%1000), []string{Allow, Block}[i%2], fmt.Sprintf("s%d.example", i))
	}
	_ = tx.Commit()
	if err := s.reload(ctx); err != nil {
		b.Fatal(err)
	}
	msg := mail.Parse([]byte("From: x@s7.example\r\nSubject: x\r\n\r\nbody\r\n"), mail.DefaultLimits())
	env := pipeline.Envelope{MailFrom: "x@s7.example", Rcpts: []string{"u7@example.jp", "u8@example.jp"}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = s.Match(ctx, env, msg)
	}
}
