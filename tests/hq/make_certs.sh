#!/usr/bin/env bash
# make_certs.sh DIR — test certificates for the reference HQ, made with the openssl command
# (EC P-256, so it is fast):
#   ca.pem/ca.key              the test CA
#   server.pem/server.key      127.0.0.1, ::1 and localhost (IP and DNS SANs), signed by the CA
#   expired.pem/expired.key    the same names, signed by the CA, valid only in January 2020
#   wronghost.pem/wronghost.key  SAN DNS:wrong.invalid only, signed by the CA
#   other-ca.pem/other-ca.key  another CA; other.pem/other.key: the right names, signed by it
#   server.pin, other.pin      "sha256//BASE64" public-key pins (CURLOPT_PINNEDPUBLICKEY)
# Idempotent: a complete DIR is left as it is; an incomplete one is made again.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
DIR=$1
FILES="ca.pem ca.key server.pem server.key expired.pem expired.key wronghost.pem wronghost.key
other-ca.pem other-ca.key other.pem other.key server.pin other.pin"

complete=1
for f in $FILES; do
	[ -s "$DIR/$f" ] || complete=0
done
if [ "$complete" = 1 ] && [ -e "$DIR/.complete" ]; then
	exit 0
fi

mkdir -p "$DIR"
WORK=$(mktemp -d "$DIR/.make.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

GOOD_SAN="subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"

key() { # key FILE
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
	chmod 600 "$1"
}

ca() { # ca NAME CN
	key "$1.key"
	openssl req -x509 -new -key "$1.key" -sha256 -days 3650 -subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash" -out "$1.pem"
}

ext() { # ext SAN > extension file
	cat <<EOF
[ leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
$1
EOF
}

leaf() { # leaf NAME CA CN SAN
	key "$1.key"
	openssl req -new -key "$1.key" -subj "/CN=$3" -out "$1.csr"
	ext "$4" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
		-set_serial "0x$(openssl rand -hex 8)" -sha256 -days 825 \
		-extfile "$1.ext" -extensions leaf -out "$1.pem" 2>/dev/null
}

pin() { # pin CERT > "sha256//BASE64"
	printf 'sha256//%s\n' "$(openssl x509 -in "$1" -pubkey -noout |
		openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | openssl enc -base64 -A)"
}

ca ca "Counterpoint Test CA"
ca other-ca "Counterpoint Other Test CA"
leaf server ca 127.0.0.1 "$GOOD_SAN"
leaf wronghost ca wrong.invalid "subjectAltName=DNS:wrong.invalid"
leaf other other-ca 127.0.0.1 "$GOOD_SAN"

# Expired: `openssl x509 -req` of OpenSSL 3.0 cannot set a start date, `openssl ca` can.
key expired.key
openssl req -new -key expired.key -subj "/CN=127.0.0.1" -out expired.csr
ext "$GOOD_SAN" >expired.ext
mkdir -p db
: >db/index.txt
openssl rand -hex 8 >db/serial
cat >ca.cnf <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $WORK/db/index.txt
new_certs_dir = $WORK/db
serial = $WORK/db/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
EOF
cat expired.ext >>ca.cnf
openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.pem \
	-startdate 20200101000000Z -enddate 20200131000000Z -extensions leaf -notext 2>/dev/null

pin server.pem >server.pin
pin other.pem >other.pin

# Sanity: what each certificate is for, checked here so a broken openssl fails loudly.
openssl verify -CAfile ca.pem server.pem >/dev/null
openssl verify -CAfile other-ca.pem other.pem >/dev/null
if openssl verify -CAfile ca.pem expired.pem >/dev/null 2>&1; then
	echo "$0: expired.pem verifies: it should not" >&2
	exit 1
fi

for f in $FILES; do
	mv -f "$f" "$DIR/$f"
done
touch "$DIR/.complete"
