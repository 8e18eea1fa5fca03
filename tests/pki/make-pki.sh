#!/bin/sh
# make-pki.sh OUTDIR: a test PKI for Qoima, so that tests and the demo need no real keys.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Writes into OUTDIR (created if missing, files replaced on every run):
#   ca.pem         the test CA («НУЦ РК (ТЕСТ)»), the one the stand and the tests trust
#   auth.p12       the chief physician's AUTH key (EKU clientAuth), for logging in
#   sign.p12       the chief physician's signing key (EKU emailProtection), for documents
#   clerk-sign.p12 the clerk's own signing key (her IIN, the hospital's BIN), for when an
#                  administrator delegates signing to her
#   expired.p12    a signing key whose certificate expired in 2025
#   foreign.p12    a signing key from ANOTHER CA that copies the test CA's name (not its key)
#   other-org.p12  a distributor's («ТОО "Медсервис Плюс"») key, with both EKUs so that it can
#                  log in and sign documents: a second organization for the stand's tests
#   new-org.p12    the AUTH and signing key of a clinic not yet registered in ИС МПТ
#                  («ГКП "Поликлиника №7"»): the registration wizard's and stand's tests
#   chief-other-org.p12  the chief physician's own signing key (her IIN) issued to ANOTHER
#                  organization («ТОО "Клиника Жаксыбековой"»): a key of the right person and
#                  the wrong organization, refused for the Fund's consent (R004-22)
#   no-key.p12     a PKCS#12 file that holds only a certificate (no private key)
#   ncalayer.pem, ncalayer-key.pem  a self-signed TLS certificate for 127.0.0.1, used by the
#                  tests' NCALayer peer (wss:// with a pinned certificate)
#   password.txt   the password of every .p12 file
# The demo identities are those of /work/briefs/ismpt-contract.md.

set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi

out=$1
password=Qoima-2026
certtool=${CERTTOOL:-certtool}

mkdir -p "$out"
work=$(mktemp -d "$out/.make-pki.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

hospital='ГКП на ПХВ "Городская больница №1" акимата города Астаны'
distributor='ТОО "Медсервис Плюс"'

# Keys are generated in parallel: RSA generation is most of the run time.
for k in ca foreign-ca auth sign clerk-sign expired foreign other-org new-org ncalayer; do
  "$certtool" --generate-privkey --key-type rsa --bits 2048 --no-text \
    --outfile "$work/$k-key.pem" 2>/dev/null &
done
wait
for k in ca foreign-ca auth sign clerk-sign expired foreign other-org new-org ncalayer; do
  test -s "$work/$k-key.pem" || { echo "make-pki: key $k not generated" >&2; exit 1; }
done

# ca_template FILE SERIAL: the test CA's template. The foreign CA uses the same name on
# purpose: trust must follow the key, not the name.
ca_template () {
  cat > "$1" <<EOT
cn = "НУЦ РК (ТЕСТ)"
organization = "Qoima test PKI"
country = KZ
serial = $2
activation_date = "2020-01-01 00:00:00"
expiration_date = "2046-01-01 00:00:00"
ca
cert_signing_key
crl_signing_key
EOT
}

# person_template FILE SERIAL CN SURNAME GIVENNAME IIN ORG BIN PURPOSES [DATES]: a Kazakh-style
# personal certificate of an organization's employee (НУЦ РК layout).
person_template () {
  file=$1 serial=$2 cn=$3 surname=$4 givenname=$5 iin=$6 org=$7 bin=$8 purposes=$9
  # Inside the template a double quote is written as \".
  org_escaped=$(printf '%s' "$org" | sed 's/"/\\"/g')
  {
    echo "cn = \"$cn\""
    echo "dn_oid = \"2.5.4.4 $surname\""
    echo "dn_oid = \"2.5.4.5 IIN$iin\""
    echo "country = KZ"
    echo "organization = \"$org_escaped\""
    echo "unit = \"BIN$bin\""
    echo "dn_oid = \"2.5.4.42 $givenname\""
    echo "serial = $serial"
    echo "signing_key"
    echo "non_repudiation"
    # The policy of an organization's head, or of an employee (НУЦ РК OIDs).
    echo "policy1 = ${policy:-1.2.398.3.3.4.1.2.1}"
    for p in $purposes; do
      case $p in
        auth) echo "tls_www_client" ;;
        sign) echo "email_protection_key" ;;
        *) echo "make-pki: unknown purpose $p" >&2; exit 1 ;;
      esac
    done
    if [ $# -ge 10 ]; then
      echo "${10}"
    else
      echo "expiration_days = 730"
    fi
  } > "$file"
}

ca_template "$work/ca.tmpl" 1
"$certtool" --generate-self-signed --load-privkey "$work/ca-key.pem" \
  --template "$work/ca.tmpl" --outfile "$work/ca.pem" --no-text 2>/dev/null
ca_template "$work/foreign-ca.tmpl" 2
"$certtool" --generate-self-signed --load-privkey "$work/foreign-ca-key.pem" \
  --template "$work/foreign-ca.tmpl" --outfile "$work/foreign-ca.pem" --no-text 2>/dev/null

chief_cn='ЖАКСЫБЕКОВА АЙГУЛЬ'
chief_surname='ЖАКСЫБЕКОВА'
chief_given='СЕРИКОВНА'
chief_iin=850715400238
hospital_bin=990340001230

person_template "$work/auth.tmpl" 101 "$chief_cn" "$chief_surname" "$chief_given" \
  $chief_iin "$hospital" $hospital_bin auth
person_template "$work/sign.tmpl" 102 "$chief_cn" "$chief_surname" "$chief_given" \
  $chief_iin "$hospital" $hospital_bin sign
# The clerk (Гульнара Ахметова): an employee of the hospital.
policy=1.2.398.3.3.4.1.2.5
person_template "$work/clerk-sign.tmpl" 106 'АХМЕТОВА ГУЛЬНАРА' 'АХМЕТОВА' 'ЕРЛАНОВНА' \
  900312450126 "$hospital" $hospital_bin sign
policy=
person_template "$work/expired.tmpl" 103 "$chief_cn" "$chief_surname" "$chief_given" \
  $chief_iin "$hospital" $hospital_bin sign \
  'activation_date = "2024-01-01 00:00:00"
expiration_date = "2025-01-01 00:00:00"'
person_template "$work/foreign.tmpl" 104 "$chief_cn" "$chief_surname" "$chief_given" \
  $chief_iin "$hospital" $hospital_bin sign
person_template "$work/other-org.tmpl" 105 'НУРЛАНОВ ЕРЛАН' 'НУРЛАНОВ' 'БОЛАТОВИЧ' \
  780302300121 "$distributor" 100340012341 "auth sign"
# Her key pair of sign.p12 certified for another organization: no key generated for it, so
# that the tests that make their own PKI take no longer.
cp "$work/sign-key.pem" "$work/chief-other-org-key.pem"
person_template "$work/chief-other-org.tmpl" 108 "$chief_cn" "$chief_surname" "$chief_given" \
  $chief_iin 'ТОО "Клиника Жаксыбековой"' 210540012341 sign
# Not a participant of the stand until its registration is confirmed (issue 12).
person_template "$work/new-org.tmpl" 107 'САПАРОВ АСЕТ' 'САПАРОВ' 'НУРЛАНОВИЧ' \
  800101300706 'ГКП "Поликлиника №7"' 240340000019 "auth sign"

issue () { # issue NAME CA
  "$certtool" --generate-certificate --load-privkey "$work/$1-key.pem" \
    --load-ca-certificate "$work/$2.pem" --load-ca-privkey "$work/$2-key.pem" \
    --template "$work/$1.tmpl" --outfile "$work/$1.pem" --no-text 2>/dev/null
}
issue auth ca &
issue sign ca &
issue clerk-sign ca &
issue expired ca &
issue foreign foreign-ca &
issue other-org ca &
issue new-org ca &
issue chief-other-org ca &
wait

# to_p12 NAME CA: AES-256 + HMAC-SHA256, which GnuTLS and OpenSSL 3 both read.
to_p12 () {
  "$certtool" --to-p12 --load-privkey "$work/$1-key.pem" --load-certificate "$work/$1.pem" \
    --load-ca-certificate "$work/$2.pem" --p12-name "$1" --pkcs-cipher aes-256 --hash SHA256 \
    --password "$password" --outder --outfile "$work/$1.p12" 2>/dev/null
}
to_p12 auth ca &
to_p12 sign ca &
to_p12 clerk-sign ca &
to_p12 expired ca &
to_p12 foreign foreign-ca &
to_p12 other-org ca &
to_p12 new-org ca &
to_p12 chief-other-org ca &
# A store with a certificate but no key: the "wrong file chosen" case of seed rule R003-7.
"$certtool" --to-p12 --load-certificate "$work/sign.pem" --p12-name no-key \
  --pkcs-cipher aes-256 --hash SHA256 --password "$password" --outder \
  --outfile "$work/no-key.p12" 2>/dev/null &

cat > "$work/ncalayer.tmpl" <<EOT
cn = "127.0.0.1"
organization = "Qoima test NCALayer peer"
ip_address = "127.0.0.1"
dns_name = "localhost"
serial = 201
expiration_days = 730
tls_www_server
signing_key
encryption_key
EOT
"$certtool" --generate-self-signed --load-privkey "$work/ncalayer-key.pem" \
  --template "$work/ncalayer.tmpl" --outfile "$work/ncalayer.pem" --no-text 2>/dev/null &
wait

for f in auth sign clerk-sign expired foreign other-org new-org chief-other-org no-key; do
  test -s "$work/$f.p12" || { echo "make-pki: $f.p12 not written" >&2; exit 1; }
done
test -s "$work/ncalayer.pem" || { echo "make-pki: ncalayer.pem not written" >&2; exit 1; }

printf '%s\n' "$password" > "$work/password.txt"
for f in ca.pem auth.p12 sign.p12 clerk-sign.p12 expired.p12 foreign.p12 other-org.p12 new-org.p12 chief-other-org.p12 no-key.p12 \
         ncalayer.pem ncalayer-key.pem password.txt; do
  mv -f "$work/$f" "$out/$f"
done
