package testenv

import (
	"errors"
	"fmt"

	"github.com/shortlink/shortlink/test/testkit"
)

// PrivateServers are a PostgreSQL cluster of its own (initdb in a temporary
// directory), two redis-servers and a three-primary Redis Cluster (for the
// cluster-mode cache's tests), on free loopback ports, started once for
// a whole test run and shared by its test processes through the TEST_*
// variables (see Env). They never touch the machine's own servers.
type PrivateServers struct {
	Servers
	postgres     *postgresServer
	cache, codes *redisServer
	cluster      *redisCluster
}

// privateMaxConnections allows every package of `make test` its pools at once.
const privateMaxConnections = 300

// StartPrivateServers starts the servers; Close stops them and deletes
// their files. Running as root, Postgres runs as the postgres OS user.
func StartPrivateServers() (_ *PrivateServers, err error) {
	ports, err := testkit.FreePorts(3)
	if err != nil {
		return nil, err
	}
	p := &PrivateServers{}
	defer func() {
		if err != nil {
			err = errors.Join(err, p.Close())
		}
	}()
	if p.postgres, err = newPostgresServer(ports[0], fmt.Sprintf("max_connections=%d", privateMaxConnections),
		"synchronous_commit=off"); err != nil {
		return p, err
	}
	if err = p.postgres.start(); err != nil {
		return p, err
	}
	for i, server := range []**redisServer{&p.cache, &p.codes} {
		if *server, err = newRedisServer(ports[1+i]); err != nil {
			return p, err
		}
		if err = (*server).start(); err != nil {
			return p, err
		}
	}
	if p.cluster, err = newRedisCluster(); err != nil {
		return p, err
	}
	p.Servers = Servers{
		PostgresAdminURL: p.postgres.AdminURL(),
		RedisCacheURL:    p.cache.URL(),
		RedisCodesURL:    p.codes.URL(),
		Source:           "private servers",
	}
	return p, nil
}

// Env is the TEST_* variables naming the servers, as NAME=value.
func (p *PrivateServers) Env() []string {
	return []string{
		EnvDatabaseURL + "=" + p.PostgresAdminURL,
		EnvRedisCacheURL + "=" + p.RedisCacheURL,
		EnvRedisCodesURL + "=" + p.RedisCodesURL,
		EnvRedisClusterURL + "=" + p.cluster.URL(),
	}
}

// Close stops whatever was started and deletes the Postgres and cluster
// directories.
func (p *PrivateServers) Close() error {
	for _, r := range []*redisServer{p.cache, p.codes} {
		if r != nil {
			r.Stop()
		}
	}
	var errs []error
	if p.cluster != nil {
		errs = append(errs, p.cluster.close())
	}
	if p.postgres != nil {
		errs = append(errs, p.postgres.remove())
	}
	return errors.Join(errs...)
}
