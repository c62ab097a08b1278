#include "webhook_addr.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct net4 {
  uint32_t prefix;
  int bits;
};

/* IPv4 ranges that are not public unicast (IANA special-purpose registry). */
static const struct net4 reserved4[] = {
    {0x00000000, 8},  {0x0a000000, 8},  {0x64400000, 10}, {0x7f000000, 8},  {0xa9fe0000, 16},
    {0xac100000, 12}, {0xc0000000, 24}, {0xc0000200, 24}, {0xc0586300, 24}, {0xc0a80000, 16},
    {0xc6120000, 15}, {0xc6336400, 24}, {0xcb007100, 24}, {0xe0000000, 4},  {0xf0000000, 4},
};

static int public4(uint32_t a) {
  for (size_t i = 0; i < sizeof reserved4 / sizeof reserved4[0]; i++) {
    uint32_t mask = reserved4[i].bits == 0 ? 0 : 0xffffffffu << (32 - reserved4[i].bits);
    if ((a & mask) == reserved4[i].prefix)
      return 0;
  }
  return 1;
}

static uint32_t embedded4(const unsigned char *b) {
  return (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
}

static int public6(const unsigned char *b) {
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
  static const unsigned char zero[12] = {0};
  if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
    return public4(embedded4(b));
  if (memcmp(b, zero, 12) == 0) /* ::, ::1 and the old IPv4-compatible form */
    return 0;
  if ((b[0] & 0xfe) == 0xfc || b[0] == 0xff) /* unique local, multicast */
    return 0;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* link-local */
    return 0;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) /* documentation */
    return 0;
  if (b[0] == 0x01 && b[1] == 0x00 && memcmp(b + 2, zero, 6) == 0) /* discard */
    return 0;
  return 1;
}

int webhook_addr_public(const struct sockaddr *sa) {
  if (sa->sa_family == AF_INET)
    return public4(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
  if (sa->sa_family == AF_INET6)
    return public6(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
  return 0;
}

/* The parts of url: 0, or -1 when it is not an absolute http(s) URL with a host. */
static int url_parts(const char *url, char *scheme, size_t slen, char *host, size_t hlen, int *port, int *userinfo) {
  CURLU *u = curl_url();
  char *s = NULL, *h = NULL, *p = NULL, *user = NULL;
  int rc = -1;
  if (u == NULL || curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_SCHEME, &s, 0) != CURLUE_OK || curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
      curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK)
    goto out;
  *userinfo = curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK;
  size_t n = strlen(h);
  if (n >= 2 && h[0] == '[' && h[n - 1] == ']') /* an IPv6 literal, without its brackets */
    snprintf(host, hlen, "%.*s", (int)(n - 2), h + 1);
  else
    snprintf(host, hlen, "%s", h);
  snprintf(scheme, slen, "%s", s);
  *port = atoi(p);
  rc = 0;
out:
  curl_free(s);
  curl_free(h);
  curl_free(p);
  curl_free(user);
  curl_url_cleanup(u);
  return rc;
}

/* 1 when host is a literal address, with it in *ss. */
static int literal_address(const char *host, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    return 1;
  }
  if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    return 1;
  }
  return 0;
}

const char *webhook_url_problem(const char *url, int allow_private) {
  char scheme[16], host[256];
  int port = 0, userinfo = 0;
  struct sockaddr_storage ss;
  if (url_parts(url, scheme, sizeof scheme, host, sizeof host, &port, &userinfo) != 0 || host[0] == '\0')
    return "must be an absolute https URL, such as https://opd.example.go.id/opop-hook";
  if (strcasecmp(scheme, "https") != 0 && !(allow_private && strcasecmp(scheme, "http") == 0))
    return allow_private ? "must be an http or https URL" : "must be an https URL";
  if (userinfo)
    return "must not carry a user name or password";
  if (!allow_private && literal_address(host, &ss) && !webhook_addr_public((struct sockaddr *)&ss))
    return "must point to a public address";
  return NULL;
}

int webhook_target_resolve(const char *url, int allow_private, struct webhook_target *t, char *err, size_t errlen) {
  char scheme[16], port_text[8];
  int userinfo = 0;
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
  if (url_parts(url, scheme, sizeof scheme, t->host, sizeof t->host, &t->port, &userinfo) != 0) {
    snprintf(err, errlen, "the URL cannot be read");
    return -1;
  }
  snprintf(port_text, sizeof port_text, "%d", t->port);
  int rc = getaddrinfo(t->host, port_text, &hints, &res);
  if (rc != 0) {
    snprintf(err, errlen, "cannot resolve %s: %s", t->host, gai_strerror(rc));
    return -1;
  }
  char refused[64] = "";
  t->address[0] = '\0';
  for (struct addrinfo *a = res; a && t->address[0] == '\0'; a = a->ai_next) {
    const void *raw = a->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
                                              : (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
    char text[64];
    if ((a->ai_family != AF_INET && a->ai_family != AF_INET6) || !inet_ntop(a->ai_family, raw, text, sizeof text))
      continue;
    if (allow_private || webhook_addr_public(a->ai_addr))
      snprintf(t->address, sizeof t->address, "%s", text);
    else if (refused[0] == '\0')
      snprintf(refused, sizeof refused, "%s", text);
  }
  freeaddrinfo(res);
  if (t->address[0] == '\0') {
    snprintf(err, errlen, "refused: %s resolves to %s, which is not a public address", t->host, refused);
    return -1;
  }
  return 0;
}
