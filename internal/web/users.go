package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sekisho/sekisho/internal/store/accounts"
)

// ---- accounts (administrators only): what `sekisho user` does, in the
// console: list, add, set a password, delete.

func (s *server) users(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	us, err := s.acc.Users(r.Context())
	if err != nil {
		s.internal(w, r, c, err)
		return
	}
	p := s.page(r, c, "users")
	p.Data = us
	s.render(w, "users", p)
}

// minPassword is the shortest password the console sets.
const minPassword = 10

func (s *server) userAdd(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	role := r.PostFormValue("role")
	pw, again := r.PostFormValue("password"), r.PostFormValue("again")
	addrs := strings.FieldsFunc(r.PostFormValue("addresses"), func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == '、'
	})
	switch {
	case pw != again || len([]rune(pw)) < minPassword:
		http.Redirect(w, r, "/users?err=pw_mismatch", http.StatusSeeOther)
		return
	case role == accounts.RoleRecipient && len(addrs) == 0:
		http.Redirect(w, r, "/users?err=user_no_address", http.StatusSeeOther)
		return
	}
	if role == accounts.RoleAdmin {
		addrs = nil
	}
	if err := s.acc.CreateUser(r.Context(), name, role, pw, addrs); err != nil {
		key := "user_invalid"
		if errors.Is(err, accounts.ErrUserExist) {
			key = "user_exists"
		}
		http.Redirect(w, r, "/users?err="+key, http.StatusSeeOther)
		return
	}
	_ = s.acc.Audit(r.Context(), c.sess.User.Name, "user-add", "", name+" ("+role+")")
	s.log.Info("account added", "by", c.sess.User.Name, "user", name, "role", role)
	http.Redirect(w, r, "/users?ok=user_added", http.StatusSeeOther)
}

func (s *server) userPassword(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	name := r.PathValue("name")
	pw, again := r.PostFormValue("password"), r.PostFormValue("again")
	if pw != again || len([]rune(pw)) < minPassword {
		http.Redirect(w, r, "/users?err=pw_mismatch", http.StatusSeeOther)
		return
	}
	if _, err := s.acc.User(r.Context(), name); err != nil {
		s.fail(w, r, c.lang, http.StatusNotFound, "err.notfound")
		return
	}
	if err := s.acc.SetPassword(r.Context(), name, pw); err != nil {
		s.internal(w, r, c, err)
		return
	}
	_ = s.acc.Audit(r.Context(), c.sess.User.Name, "user-password", "", name)
	s.log.Info("account password set", "by", c.sess.User.Name, "user", name)
	http.Redirect(w, r, "/users?ok=user_password", http.StatusSeeOther)
}

func (s *server) userDelete(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	name := r.PathValue("name")
	if strings.EqualFold(name, c.sess.User.Name) {
		// Signing oneself out of the console for good is `sekisho user del`.
		http.Redirect(w, r, "/users?err=user_self", http.StatusSeeOther)
		return
	}
	if _, err := s.acc.User(r.Context(), name); err != nil {
		s.fail(w, r, c.lang, http.StatusNotFound, "err.notfound")
		return
	}
	if err := s.acc.DeleteUser(r.Context(), name); err != nil {
		s.internal(w, r, c, err)
		return
	}
	_ = s.acc.Audit(r.Context(), c.sess.User.Name, "user-delete", "", name)
	s.log.Info("account deleted", "by", c.sess.User.Name, "user", name)
	http.Redirect(w, r, "/users?ok=user_deleted", http.StatusSeeOther)
}
