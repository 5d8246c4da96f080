package porttest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/shortlink/shortlink/domain"
	"github.com/shortlink/shortlink/ports"
)

// DomainStore is a store of short domains and of the links they are
// checked against.
type DomainStore interface {
	ports.LinkStore
	ports.KeyStore
	ports.DomainStore
}

// DomainStoreContract runs the contract of ports.DomainStore against
// fresh, empty stores made by newStore, one per rule.
func DomainStoreContract(t *testing.T, newStore func(t *testing.T) DomainStore) {
	t.Helper()
	runRules(t, domainRules, newStore)
}

var domainRules = []rule[DomainStore]{
	{"domains are stored once, listed by host and deleted", domainsAreStoredListedDeleted},
	{"a domain keeps its workspace and not_found_url", domainKeepsItsFields},
	{"links to a host are the live ones whose target is on it", linksToAHostAreLiveOnes},
	{"links on a domain are those under its code keys, not deleted", linksOnADomainAreItsKeys},
}

func linksOnADomainAreItsKeys(t *testing.T, s DomainStore) {
	ctx := context.Background()
	for _, key := range []domain.Code{"promo", "exa.mp/promo", "exa.mp/other", "go.exa.mp/promo", "exa.mp/gone"} {
		link, err := domain.NewShortLink(key, "https://example.com/"+string(key), t0, t0.Add(24*time.Hour), domain.TokenDigest{1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Insert(ctx, link, t0.Add(48*time.Hour)); err != nil {
			t.Fatalf("insert %s: %v", key, err)
		}
	}
	if _, err := s.Update(ctx, "exa.mp/gone", t0, func(l domain.ShortLink) (domain.ShortLink, time.Time, error) {
		next, err := l.Delete(t0.Add(time.Minute))
		return next, t0.Add(48 * time.Hour), err
	}); err != nil {
		t.Fatal(err)
	}
	codes, err := s.LinksOn(ctx, "exa.mp", t0.Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(codes)
	if !slices.Equal(codes, []domain.Code{"other", "promo"}) {
		t.Errorf("LinksOn(exa.mp) = %v, want [other promo]", codes)
	}
	if found, err := s.Find(ctx, "exa.mp/promo", t0.Add(time.Hour)); err != nil || found.URL() != "https://example.com/exa.mp/promo" {
		t.Errorf("Find(exa.mp/promo) = %v, %v: the same alias on two domains is two links", found.URL(), err)
	}
	if codes, _ := s.LinksOn(ctx, "exa.mp", t0.Add(25*time.Hour), 10); len(codes) != 0 {
		t.Errorf("after every link expired, LinksOn = %v", codes)
	}
}

func mustCreateDomain(t *testing.T, s DomainStore, d domain.ShortDomain) {
	t.Helper()
	if err := s.CreateDomain(context.Background(), d); err != nil {
		t.Fatalf("create domain %s: %v", d.Host, err)
	}
}

func domainsAreStoredListedDeleted(t *testing.T, s DomainStore) {
	ctx := context.Background()
	if list, err := s.ListDomains(ctx); err != nil || len(list) != 0 {
		t.Fatalf("an empty store lists %v, %v", list, err)
	}
	mustCreateDomain(t, s, domain.ShortDomain{Host: "zz.example", CreatedAt: t0})
	mustCreateDomain(t, s, domain.ShortDomain{Host: "exa.mp", CreatedAt: t0})
	if err := s.CreateDomain(ctx, domain.ShortDomain{Host: "exa.mp", CreatedAt: t0}); !errors.Is(err, domain.ErrDomainTaken) {
		t.Fatalf("a second exa.mp = %v, want ErrDomainTaken", err)
	}
	list, err := s.ListDomains(ctx)
	if err != nil || len(list) != 2 || list[0].Host != "exa.mp" || list[1].Host != "zz.example" {
		t.Fatalf("ListDomains = %+v, %v; want exa.mp, zz.example", list, err)
	}
	if err := s.DeleteDomain(ctx, "exa.mp"); err != nil {
		t.Fatalf("delete exa.mp: %v", err)
	}
	if err := s.DeleteDomain(ctx, "exa.mp"); !errors.Is(err, domain.ErrDomainNotFound) {
		t.Fatalf("deleting exa.mp again = %v, want ErrDomainNotFound", err)
	}
	if list, _ := s.ListDomains(ctx); len(list) != 1 || list[0].Host != "zz.example" {
		t.Fatalf("after the delete: %+v", list)
	}
	mustCreateDomain(t, s, domain.ShortDomain{Host: "exa.mp", CreatedAt: t0}) // a removed host can come back
}

func domainKeepsItsFields(t *testing.T, s DomainStore) {
	ctx := context.Background()
	ws := domainWorkspace(t, s)
	want := domain.ShortDomain{Host: "team.example", Workspace: ws, NotFoundURL: "https://example.com/missing", CreatedAt: t0}
	mustCreateDomain(t, s, want)
	list, err := s.ListDomains(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListDomains = %+v, %v", list, err)
	}
	got := list[0]
	if got.Host != want.Host || got.Workspace != want.Workspace || got.NotFoundURL != want.NotFoundURL || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Errorf("stored %+v, read back %+v", want, got)
	}
}

func domainWorkspace(t *testing.T, s DomainStore) domain.WorkspaceID {
	t.Helper()
	ws, err := domain.NewWorkspace("team", t0)
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := domain.NewAPIKey(ws.ID, domain.RoleOwner, "first", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateWorkspace(context.Background(), ws, key); err != nil {
		t.Fatal(err)
	}
	return ws.ID
}

func linksToAHostAreLiveOnes(t *testing.T, s DomainStore) {
	ctx := context.Background()
	insert := func(code, url string) domain.ShortLink {
		link, err := domain.NewShortLink(domain.Code(code), url, t0, t0.Add(24*time.Hour), domain.TokenDigest{1})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := s.Insert(ctx, link, t0.Add(48*time.Hour))
		if err != nil {
			t.Fatalf("insert %s: %v", code, err)
		}
		return stored
	}
	insert("loop1", "https://exa.mp/a")
	insert("loop2", "http://exa.mp:8080/b?c=d")
	insert("sub", "https://go.exa.mp/a")
	insert("other", "https://example.com/exa.mp")
	insert("nested", "https://example.com/go?to=https://exa.mp/x") // the host's text after "://", but not the target's host
	insert("dotted", "https://exa.mp./c")                          // a fully qualified spelling of the host
	insert("gone", "https://exa.mp/gone")
	if _, err := s.Update(ctx, "gone", t0, func(l domain.ShortLink) (domain.ShortLink, time.Time, error) {
		next, err := l.Delete(t0.Add(time.Minute))
		return next, t0.Add(48 * time.Hour), err
	}); err != nil {
		t.Fatal(err)
	}
	codes, err := s.LinksTo(ctx, "exa.mp", t0.Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[domain.Code]bool{}
	for _, c := range codes {
		got[c] = true
	}
	if len(codes) != 3 || !got["loop1"] || !got["loop2"] || !got["dotted"] {
		t.Errorf("LinksTo(exa.mp) = %v, want loop1, loop2 and dotted", codes)
	}
	if codes, _ := s.LinksTo(ctx, "exa.mp", t0.Add(25*time.Hour), 10); len(codes) != 0 {
		t.Errorf("after every link expired, LinksTo = %v", codes)
	}
	if codes, _ := s.LinksTo(ctx, "exa.mp", t0.Add(time.Hour), 1); len(codes) != 1 {
		t.Errorf("limit 1 gave %v", codes)
	}
}
