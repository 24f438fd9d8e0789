# Policy of the backup AppRole: take raft snapshots and nothing else.
# Written by vault-raft-backup-setup (SETUP_POLICY_NAME, default vault-raft-backup).

# GET /v1/sys/storage/raft/snapshot (no sudo needed).
path "sys/storage/raft/snapshot" {
  capabilities = ["read"]
}

# snapshot-taker revokes its own token when done. The default policy allows
# this too; listing it keeps the role working with token_no_default_policy.
path "auth/token/revoke-self" {
  capabilities = ["update"]
}
