#!/usr/bin/env bash
# Generates TypeScript from every .proto under proto/ into proto/gen/, mirroring the folders
# (proto/etcd/mvccpb/kv.proto -> proto/gen/etcd/mvccpb/kv.ts). Imports are relative to proto/
# (import "etcd/mvccpb/kv.proto"). proto/gen/ is git-ignored and never edited by hand.
# Needs protoc (Debian: protobuf-compiler); scripts/test.sh and scripts/up.sh install it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "gen-proto: protoc not found; apt-get install protobuf-compiler" >&2; exit 1; }
rm -rf proto/gen && mkdir -p proto/gen
protoc \
  --plugin=protoc-gen-ts_proto=node_modules/.bin/protoc-gen-ts_proto \
  --ts_proto_out=proto/gen \
  --ts_proto_opt=esModuleInterop=true,importSuffix=.js,forceLong=number,outputServices=grpc-js,useOptionals=none,enumsAsLiterals=true,outputJsonMethods=false,outputPartialMethods=false \
  -I proto $(find proto -name '*.proto' -not -path 'proto/gen/*' | LC_ALL=C sort)
