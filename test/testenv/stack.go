package testenv

import (
	"maps"
	"testing"
)

// Stack is the backing services of one deployment of the real binaries: a
// database (fresh from Database unless given) and two private redis-servers,
// the cache and the codes, which the test may stop, start and pause.
type Stack struct {
	DatabaseURL  string
	Cache, Codes *RedisProcess
}

// NewStack starts the stack's Redis servers, stopped when the test ends,
// and uses the database at dbURL, or a fresh one when dbURL is "".
func NewStack(t testing.TB, dbURL string) *Stack {
	t.Helper()
	if dbURL == "" {
		dbURL = Database(t)
	}
	return &Stack{DatabaseURL: dbURL, Cache: StartRedisServer(t), Codes: StartRedisServer(t)}
}

// Env is the environment of a binary of the stack: DATABASE_URL,
// REDIS_CACHE_URL and REDIS_CODES_URL, then each layer in order, later
// layers winning.
func (s *Stack) Env(layers ...map[string]string) map[string]string {
	env := map[string]string{
		"DATABASE_URL":    s.DatabaseURL,
		"REDIS_CACHE_URL": s.Cache.URL(),
		"REDIS_CODES_URL": s.Codes.URL(),
	}
	for _, layer := range layers {
		maps.Copy(env, layer)
	}
	return env
}
