package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestUsersPage: an administrator adds, re-passwords and deletes accounts
// in the console; a recipient sees none of it; bad input gets a message.
func TestUsersPage(t *testing.T) {
	c := newConsole(t, nil)
	admin := c.client()
	admin.login("admin", c.password)
	resp, body := admin.get("/users")
	if resp.StatusCode != 200 || !strings.Contains(body, `id="user-admin"`) || strings.Contains(body, `id="del-admin"`) {
		t.Fatalf("users page: %d\n%s", resp.StatusCode, body)
	}
	tok := csrfOf(t, body)
	post := func(path string, f url.Values) string {
		t.Helper()
		f.Set("csrf", tok)
		resp, _ := admin.post(path, f, nil)
		return resp.Header.Get("Location")
	}
	add := url.Values{"name": {"sato"}, "role": {"recipient"}, "addresses": {"sato@example.jp、 Sato2@Example.JP"},
		"password": {"correct horse 1"}, "again": {"correct horse 1"}}
	if loc := post("/users", add); loc != "/users?ok=user_added" {
		t.Fatalf("add: %q", loc)
	}
	if loc := post("/users", add); loc != "/users?err=user_exists" {
		t.Errorf("add twice: %q", loc)
	}
	for _, bad := range []url.Values{
		{"name": {"x"}, "role": {"recipient"}, "addresses": {"x@example.jp"}, "password": {"short"}, "again": {"short"}},
		{"name": {"y"}, "role": {"recipient"}, "addresses": {""}, "password": {"long enough pw"}, "again": {"long enough pw"}},
		{"name": {"has space"}, "role": {"admin"}, "password": {"long enough pw"}, "again": {"long enough pw"}},
		{"name": {"z"}, "role": {"root"}, "password": {"long enough pw"}, "again": {"long enough pw"}},
	} {
		if loc := post("/users", bad); !strings.HasPrefix(loc, "/users?err=") {
			t.Errorf("accepted %v: %q", bad, loc)
		}
	}
	_, body = admin.get("/users?ok=user_added")
	if !strings.Contains(body, "sato@example.jp, sato2@example.jp") || !strings.Contains(body, "The account was added.") {
		t.Errorf("new account not listed:\n%s", body)
	}
	// The recipient signs in, sees the quarantine, not the accounts.
	rc := c.client()
	if loc := rc.login("sato", "correct horse 1").Header.Get("Location"); loc == "" || strings.HasPrefix(loc, "/login") {
		t.Fatalf("recipient sign-in: %q", loc)
	}
	if resp, _ := rc.get("/users"); resp.StatusCode != 404 {
		t.Errorf("recipient sees /users: %d", resp.StatusCode)
	}
	_, rbody := rc.get("/quarantine")
	if resp, _ := rc.post("/users", url.Values{"csrf": {csrfOf(t, rbody)}, "name": {"evil"}, "role": {"admin"},
		"password": {"long enough pw"}, "again": {"long enough pw"}}, nil); resp.StatusCode != 404 {
		t.Errorf("recipient added an account: %d", resp.StatusCode)
	}
	// A new password ends the recipient's session.
	if loc := post("/users/sato/password", url.Values{"password": {"another horse 2"}, "again": {"another horse 2"}}); loc != "/users?ok=user_password" {
		t.Fatalf("set password: %q", loc)
	}
	if resp, _ := rc.get("/quarantine"); resp.StatusCode != 303 {
		t.Errorf("old session still valid: %d", resp.StatusCode)
	}
	if loc := c.client().login("sato", "another horse 2").Header.Get("Location"); strings.HasPrefix(loc, "/login") {
		t.Errorf("new password refused: %q", loc)
	}
	// Deleting: not oneself; others yes; unknown 404.
	if loc := post("/users/admin/delete", url.Values{}); loc != "/users?err=user_self" {
		t.Errorf("self delete: %q", loc)
	}
	if loc := post("/users/sato/delete", url.Values{}); loc != "/users?ok=user_deleted" {
		t.Errorf("delete: %q", loc)
	}
	tokForm := url.Values{"csrf": {tok}}
	if resp, _ := admin.post("/users/nobody/delete", tokForm, nil); resp.StatusCode != 404 {
		t.Errorf("delete unknown: %d", resp.StatusCode)
	}
	if u, _ := c.st.Accounts().User(t.Context(), "sato"); u != nil {
		t.Error("account still there")
	}
}
