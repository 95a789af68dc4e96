/* tests/unit/test_sip_registrar.c  The registrar (src/sip/registrar.c)
 * over the real loop in one process: a server stack on 127.0.0.1 with
 * ephemeral UDP and TCP ports (sanity gate, then registrar_handle, then
 * registrar_auth for INVITEs), and a client stack using libre's own
 * sipreg, plus a bare client (dialog + sip_auth + sip_drequestf) for
 * requests sipreg cannot make.  Every wait is on an event with a 10 s
 * guard; time jumps use the registrar's clock hook. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libre.h"
#include "sip/sanity.h"
#include "sip/registrar.h"
#include "sip/registrar_int.h"

#define REALM "switchboard.test"

struct srv {
	struct sip *sip;
	struct sip_lsnr *gate, *lsnr;
	struct sanity_stats stats;
	struct registrar *reg;
	struct sa laddr, tladdr;
	unsigned nup, ndown;         /* change handler */
	char last_user[64];
	unsigned ninvite_ok, ninvite_fail;
	int invite_err;
	char invite_user[64];
};

struct cli {
	struct sip *sip;
};

/* A bare client request with automatic digest retries. */
struct raw {
	struct sip_dialog *dlg;
	struct sip_auth *auth;
	struct sip_request *req;
	const char *met;
	char hdrs[512];
	bool auto_auth;
	bool stale_seen;
	unsigned nfinal;
	uint16_t scode;
	int err;
	char chall[512];
	unsigned ncontacts;
	bool has_date;
	uint32_t min_expires;
	char contact_hdr[512];
};

static struct srv S;
static struct cli C;
static const char *pass_1001 = "secret1";
static uint64_t clk_off;
static struct tmr t_guard;
static unsigned *wake_counter;
static unsigned wake_want;

static uint64_t test_clock(void)
{
	return tmr_jiffies() + clk_off;
}

static void guard_h(void *arg)
{
	bool *timedout = arg;

	*timedout = true;
	re_cancel();
}

static void wake(void)
{
	if (wake_counter && *wake_counter >= wake_want)
		re_cancel();
}

static void wait_event(unsigned *counter, unsigned want)
{
	bool timedout = false;

	wake_counter = counter;
	wake_want = want;
	tmr_start(&t_guard, 10000, guard_h, &timedout);
	while (*counter < want && !timedout)
		(void)re_main(NULL);
	tmr_cancel(&t_guard);
	wake_counter = NULL;
	if (timedout)
		fail_msg("timed out waiting for event %u (have %u)", want,
			 *counter);
}

/* ---- server ---- */

static bool user_h(const char *user, char ha1[33], void *arg)
{
	uint8_t md[MD5_SIZE];
	const char *pass;
	(void)arg;

	if (!strcmp(user, "1001"))
		pass = "secret1";
	else if (!strcmp(user, "1002"))
		pass = "secret2";
	else
		return false;
	if (md5_printf(md, "%s:%s:%s", user, REALM, pass))
		return false;
	(void)re_snprintf(ha1, 33, "%w", md, sizeof(md));
	return true;
}

static void change_h(const char *user, bool registered, void *arg)
{
	struct srv *s = arg;

	snprintf(s->last_user, sizeof(s->last_user), "%s", user);
	if (registered)
		++s->nup;
	else
		++s->ndown;
	wake();
}

static bool srv_h(const struct sip_msg *msg, void *arg)
{
	struct srv *s = arg;
	char user[64];
	int err;

	if (registrar_handle(s->reg, msg))
		return true;
	if (!pl_strcmp(&msg->met, "INVITE")) {
		err = registrar_auth(s->reg, msg, user, sizeof(user));
		if (!err) {
			snprintf(s->invite_user, sizeof(s->invite_user), "%s",
				 user);
			++s->ninvite_ok;
			(void)sip_treply(NULL, s->sip, msg, 480,
					 "Temporarily Unavailable");
		}
		else {
			s->invite_err = err;
			++s->ninvite_fail;
		}
		return true;
	}
	if (!pl_strcmp(&msg->met, "ACK"))
		return true;
	(void)sip_reply(s->sip, msg, 200, "OK");
	return true;
}

static void stack_up(struct sip **sipp, struct sa *laddr, struct sa *tladdr)
{
	struct sa any;

	assert_int_equal(0, sip_alloc(sipp, NULL, 32, 32, 32, "test", NULL,
				      NULL));
	assert_int_equal(0, sa_set_str(&any, "127.0.0.1", 0));
	assert_int_equal(0, sip_transp_add(*sipp, SIP_TRANSP_UDP, &any));
	assert_int_equal(0, sip_transp_add(*sipp, SIP_TRANSP_TCP, &any));
	if (laddr)
		assert_int_equal(0, sip_transp_laddr(*sipp, laddr,
						     SIP_TRANSP_UDP, NULL));
	if (tladdr)
		assert_int_equal(0, sip_transp_laddr(*sipp, tladdr,
						     SIP_TRANSP_TCP, NULL));
}

static int setup(void **state)
{
	(void)state;
	memset(&S, 0, sizeof(S));
	memset(&C, 0, sizeof(C));
	clk_off = 0;
	pass_1001 = "secret1";
	registrar_clock_set(test_clock);
	stack_up(&S.sip, &S.laddr, &S.tladdr);
	assert_int_equal(0, sanity_listen(&S.gate, S.sip, &S.stats));
	assert_int_equal(0, sip_listen(&S.lsnr, S.sip, true, srv_h, &S));
	assert_int_equal(0, registrar_alloc(&S.reg, S.sip, REALM, user_h,
					    change_h, &S));
	stack_up(&C.sip, NULL, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sip_close(C.sip, true);
	C.sip = mem_deref(C.sip);
	S.reg = mem_deref(S.reg);
	S.gate = mem_deref(S.gate);
	S.lsnr = mem_deref(S.lsnr);
	sip_close(S.sip, true);
	S.sip = mem_deref(S.sip);
	registrar_clock_set(NULL);
	tmr_cancel(&t_guard);
	return 0;
}

/* ---- sipreg client ---- */

struct regc {
	struct sipreg *reg;
	unsigned nok, nfail;
	uint16_t scode;
	int err;
};

static int auth_h(char **user, char **pass, const char *realm, void *arg)
{
	const char *u = arg;
	int err;
	(void)realm;

	err = str_dup(user, u);
	err |= str_dup(pass, !strcmp(u, "1001") ? pass_1001 : "secret2");
	return err;
}

static void regc_resp_h(int err, const struct sip_msg *msg, void *arg)
{
	struct regc *rc = arg;

	rc->err = err;
	rc->scode = msg ? msg->scode : 0;
	if (!err && msg && msg->scode >= 200 && msg->scode < 300)
		++rc->nok;
	else
		++rc->nfail;
	wake();
}

static void regc_start(struct regc *rc, const char *user, const char *cuser,
		       uint32_t expires, bool tcp)
{
	char reg_uri[128], aor[128];
	const struct sa *dst = tcp ? &S.tladdr : &S.laddr;

	memset(rc, 0, sizeof(*rc));
	re_snprintf(reg_uri, sizeof(reg_uri), "sip:%J%s", dst,
		    tcp ? ";transport=tcp" : "");
	re_snprintf(aor, sizeof(aor), "sip:%s@127.0.0.1", user);
	assert_int_equal(0, sipreg_register(&rc->reg, C.sip, reg_uri, aor,
					    NULL, aor, expires, cuser, NULL,
					    0, 0, auth_h, (void *)user, false,
					    regc_resp_h, rc, NULL, NULL));
}

/* ---- bare client ---- */

static bool contact_count_h(const struct sip_hdr *hdr,
			    const struct sip_msg *msg, void *arg)
{
	struct raw *r = arg;
	size_t n = strlen(r->contact_hdr);
	(void)msg;

	++r->ncontacts;
	re_snprintf(r->contact_hdr + n, sizeof(r->contact_hdr) - n, "%r|",
		    &hdr->val);
	return false;
}

static int raw_send(struct raw *r);

static void raw_resp_h(int err, const struct sip_msg *msg, void *arg)
{
	struct raw *r = arg;
	const struct sip_hdr *h;

	r->err = err;
	r->scode = msg ? msg->scode : 0;
	if (msg && (msg->scode == 401 || msg->scode == 407)) {
		h = sip_msg_hdr(msg, msg->scode == 401 ?
				SIP_HDR_WWW_AUTHENTICATE :
				SIP_HDR_PROXY_AUTHENTICATE);
		r->chall[0] = '\0';
		if (h)
			re_snprintf(r->chall, sizeof(r->chall), "%r", &h->val);
		if (strstr(r->chall, "stale=true"))
			r->stale_seen = true;
		if (r->auto_auth && !sip_auth_authenticate(r->auth, msg) &&
		    !raw_send(r))
			return;
	}
	if (msg && msg->scode < 200)
		return;
	r->ncontacts = 0;
	r->contact_hdr[0] = '\0';
	if (msg) {
		(void)sip_msg_hdr_apply(msg, true, SIP_HDR_CONTACT,
					contact_count_h, r);
		r->has_date = sip_msg_hdr(msg, SIP_HDR_DATE) != NULL;
		h = sip_msg_hdr(msg, SIP_HDR_MIN_EXPIRES);
		r->min_expires = h ? pl_u32(&h->val) : 0;
	}
	++r->nfinal;
	wake();
}

static int raw_send(struct raw *r)
{
	return sip_drequestf(&r->req, C.sip, true, r->met, r->dlg, 0,
			     r->auth, NULL, raw_resp_h, r, "%s"
			     "Content-Length: 0\r\n\r\n", r->hdrs);
}

static void raw_init(struct raw *r, const char *met, const char *user,
		     const char *authuser, bool tcp)
{
	char ruri[128], aor[128];
	const struct sa *dst = tcp ? &S.tladdr : &S.laddr;

	memset(r, 0, sizeof(*r));
	r->met = met;
	r->auto_auth = true;
	if (!strcmp(met, "REGISTER"))
		re_snprintf(ruri, sizeof(ruri), "sip:%J%s", dst,
			    tcp ? ";transport=tcp" : "");
	else
		re_snprintf(ruri, sizeof(ruri), "sip:queue@%J%s", dst,
			    tcp ? ";transport=tcp" : "");
	re_snprintf(aor, sizeof(aor), "sip:%s@127.0.0.1", user);
	assert_int_equal(0, sip_dialog_alloc(&r->dlg, ruri,
					     strcmp(met, "REGISTER") ?
					     ruri : aor, NULL, aor, NULL, 0));
	assert_int_equal(0, sip_auth_alloc(&r->auth, auth_h,
					   (void *)authuser, false));
}

/* Send, wait for the final answer, return its status. */
static uint16_t raw_do(struct raw *r, const char *hdrs)
{
	unsigned want = r->nfinal + 1;

	snprintf(r->hdrs, sizeof(r->hdrs), "%s", hdrs);
	r->stale_seen = false;
	assert_int_equal(0, raw_send(r));
	wait_event(&r->nfinal, want);
	return r->scode;
}

static void raw_free(struct raw *r)
{
	r->req = mem_deref(r->req);
	r->dlg = mem_deref(r->dlg);
	r->auth = mem_deref(r->auth);
}

/* ---- tests ---- */

static void test_registrar_register_succeeds(void **state)
{
	struct registrar_contact c[REG_CONTACTS_MAX];
	char want[128];
	struct regc rc;

	(void)state;
	regc_start(&rc, "1001", "1001", 600, false);
	wait_event(&rc.nok, 1);
	assert_int_equal(1, S.nup);
	assert_string_equal("1001", S.last_user);
	assert_true(registrar_registered(S.reg, "1001"));
	assert_false(registrar_registered(S.reg, "1002"));
	assert_int_equal(1, registrar_contacts(S.reg, "1001", c, 8));
	re_snprintf(want, sizeof(want), "sip:1001@%J", sipreg_laddr(rc.reg));
	assert_string_equal(want, c[0].uri);
	assert_int_equal(SIP_TRANSP_UDP, c[0].tp);
	assert_true(sa_cmp(c[0].src, sipreg_laddr(rc.reg), SA_ALL));
	assert_true(c[0].expires > test_clock() + 590 * 1000);
	assert_true(c[0].expires <= test_clock() + 600 * 1000);
	/* the client saw its contact in the 200 with expires */
	assert_int_equal(600, sipreg_proxy_expires(rc.reg));

	/* unregister: releasing the client sends expires=0 */
	rc.reg = mem_deref(rc.reg);
	wait_event(&S.ndown, 1);
	assert_false(registrar_registered(S.reg, "1001"));
	assert_int_equal(0, registrar_contacts(S.reg, "1001", c, 8));
	assert_int_equal(1, S.nup);
}

static void test_registrar_wrong_password(void **state)
{
	struct regc rc;

	(void)state;
	pass_1001 = "wrong";
	regc_start(&rc, "1001", "1001", 600, false);
	wait_event(&rc.nfail, 1);
	assert_int_equal(403, rc.scode);
	assert_int_equal(0, S.nup);
	assert_false(registrar_registered(S.reg, "1001"));
	rc.reg = mem_deref(rc.reg);
}

static void test_registrar_unknown_user_is_403(void **state)
{
	struct raw r;

	(void)state;
	raw_init(&r, "REGISTER", "1009", "1009", false);
	assert_int_equal(403, raw_do(&r,
		"Contact: <sip:1009@127.0.0.1:9>\r\n"));
	/* a digest user other than the To user: 403 too */
	raw_free(&r);
	raw_init(&r, "REGISTER", "1002", "1001", false);
	assert_int_equal(403, raw_do(&r,
		"Contact: <sip:1002@127.0.0.1:9>\r\n"));
	assert_int_equal(0, S.nup);
	raw_free(&r);
}

static void test_registrar_no_credentials_challenged(void **state)
{
	struct raw r;

	(void)state;
	raw_init(&r, "REGISTER", "1001", "1001", false);
	r.auto_auth = false;
	assert_int_equal(401, raw_do(&r,
		"Contact: <sip:1001@127.0.0.1:9>\r\n"));
	assert_non_null(strstr(r.chall, "Digest realm=\"" REALM "\""));
	assert_non_null(strstr(r.chall, "nonce=\""));
	assert_non_null(strstr(r.chall, "algorithm=MD5"));
	assert_non_null(strstr(r.chall, "qop=\"auth\""));
	assert_null(strstr(r.chall, "stale"));
	assert_int_equal(0, S.nup);
	raw_free(&r);
}

static void test_registrar_refresh_keeps_one_contact(void **state)
{
	struct registrar_contact c[REG_CONTACTS_MAX];
	struct regc rc;

	(void)state;
	registrar_expires_min_set(S.reg, 1);
	regc_start(&rc, "1001", "1001", 4, false);
	assert_int_equal(0, sipreg_set_rwait(rc.reg, 25));  /* at 1 s */
	wait_event(&rc.nok, 1);
	wait_event(&rc.nok, 3);     /* two refreshes by sipreg's timer */
	assert_int_equal(1, registrar_contacts(S.reg, "1001", c, 8));
	assert_int_equal(1, S.nup);
	assert_int_equal(0, S.ndown);
	rc.reg = mem_deref(rc.reg);
	wait_event(&S.ndown, 1);
}

static void test_registrar_two_clients_two_contacts(void **state)
{
	struct registrar_contact c[REG_CONTACTS_MAX];
	struct regc a, b;

	(void)state;
	regc_start(&a, "1001", "1001", 600, false);
	regc_start(&b, "1001", "1001-b", 600, false);
	wait_event(&a.nok, 1);
	wait_event(&b.nok, 1);
	assert_int_equal(2, registrar_contacts(S.reg, "1001", c, 8));
	assert_string_not_equal(c[0].uri, c[1].uri);
	assert_int_equal(1, S.nup);
	/* the first to leave does not unregister the user */
	a.reg = mem_deref(a.reg);
	/* no event marks it: round trips until the store shows it */
	for (unsigned i = 0; registrar_contacts(S.reg, "1001", NULL, 8) != 1;
	     i++) {
		struct raw r;

		assert_true(i < 50);
		raw_init(&r, "OPTIONS", "1001", "1001", false);
		assert_int_equal(200, raw_do(&r, ""));
		raw_free(&r);
	}
	assert_int_equal(0, S.ndown);
	b.reg = mem_deref(b.reg);
	wait_event(&S.ndown, 1);
	assert_string_equal("1001", S.last_user);
}

static void test_registrar_star_and_bare_client(void **state)
{
	struct raw r;

	(void)state;
	raw_init(&r, "REGISTER", "1001", "1001", false);
	assert_int_equal(200, raw_do(&r,
		"Contact: <sip:1001@127.0.0.1:7001>;expires=300\r\n"
		"Contact: <sip:1001@127.0.0.1:7002>\r\n"
		"Expires: 200\r\n"));
	assert_int_equal(2, r.ncontacts);
	assert_true(r.has_date);
	assert_non_null(strstr(r.contact_hdr,
			       "<sip:1001@127.0.0.1:7001>;expires=300|"));
	assert_non_null(strstr(r.contact_hdr,
			       "<sip:1001@127.0.0.1:7002>;expires=200|"));
	assert_int_equal(1, S.nup);
	/* a query (no Contact) lists them */
	assert_int_equal(200, raw_do(&r, ""));
	assert_int_equal(2, r.ncontacts);
	/* too brief */
	assert_int_equal(423, raw_do(&r,
		"Contact: <sip:1001@127.0.0.1:7003>;expires=5\r\n"));
	assert_int_equal(REG_EXPIRES_MIN, r.min_expires);
	/* capped */
	assert_int_equal(200, raw_do(&r,
		"Contact: <sip:1001@127.0.0.1:7003>;expires=99999\r\n"));
	assert_non_null(strstr(r.contact_hdr,
			       "<sip:1001@127.0.0.1:7003>;expires=3600|"));
	assert_int_equal(3, r.ncontacts);
	/* "*" needs Expires: 0 */
	assert_int_equal(400, raw_do(&r, "Contact: *\r\n"));
	assert_int_equal(200, raw_do(&r, "Contact: *\r\nExpires: 0\r\n"));
	assert_int_equal(0, r.ncontacts);
	assert_int_equal(1, S.ndown);
	assert_false(registrar_registered(S.reg, "1001"));
	/* at most REG_CONTACTS_MAX, oldest replaced */
	for (unsigned i = 0; i < REG_CONTACTS_MAX + 2; i++) {
		char h[128];

		snprintf(h, sizeof(h), "Contact: <sip:1001@127.0.0.1:%u>\r\n",
			 8000 + i);
		assert_int_equal(200, raw_do(&r, h));
	}
	assert_int_equal(REG_CONTACTS_MAX, r.ncontacts);
	assert_null(strstr(r.contact_hdr, ":8000>"));
	assert_null(strstr(r.contact_hdr, ":8001>"));
	assert_non_null(strstr(r.contact_hdr, ":8009>"));
	assert_int_equal(2, S.nup);
	raw_free(&r);
}

static void test_registrar_expiry_by_clock(void **state)
{
	struct regc rc;

	(void)state;
	regc_start(&rc, "1001", "1001", 60, false);
	wait_event(&rc.nok, 1);
	assert_int_equal(1, S.nup);
	clk_off += 59 * 1000;
	registrar_tick(S.reg);
	assert_int_equal(0, S.ndown);
	clk_off += 2 * 1000;
	registrar_tick(S.reg);
	assert_int_equal(1, S.ndown);
	assert_false(registrar_registered(S.reg, "1001"));
	rc.reg = mem_deref(rc.reg);
}

static void test_registrar_expiry_by_timer(void **state)
{
	struct raw r;

	(void)state;
	registrar_expires_min_set(S.reg, 1);
	raw_init(&r, "REGISTER", "1001", "1001", false);
	assert_int_equal(200, raw_do(&r,
		"Contact: <sip:1001@127.0.0.1:7001>;expires=1\r\n"));
	assert_int_equal(1, S.nup);
	wait_event(&S.ndown, 1);    /* the registrar's timer, ~1 s */
	assert_false(registrar_registered(S.reg, "1001"));
	raw_free(&r);
}

static void test_registrar_stale_nonce(void **state)
{
	struct raw r;

	(void)state;
	raw_init(&r, "REGISTER", "1001", "1001", false);
	assert_int_equal(200, raw_do(&r,
		"Contact: <sip:1001@127.0.0.1:7001>\r\n"));
	/* the cached nonce is reused while fresh ... */
	assert_int_equal(200, raw_do(&r,
		"Contact: <sip:1001@127.0.0.1:7001>\r\n"));
	assert_false(r.stale_seen);
	/* ... and once old: 401 stale=true, then success */
	clk_off += (REG_NONCE_LIFETIME + 1) * 1000;
	assert_int_equal(200, raw_do(&r,
		"Contact: <sip:1001@127.0.0.1:7001>\r\n"));
	assert_true(r.stale_seen);
	assert_int_equal(1, S.nup);
	assert_int_equal(200, raw_do(&r, "Contact: *\r\nExpires: 0\r\n"));
	assert_int_equal(1, S.ndown);
	raw_free(&r);
}

static void test_registrar_auth_invite(void **state)
{
	struct raw r;

	(void)state;
	raw_init(&r, "INVITE", "1001", "1001", false);
	assert_int_equal(480, raw_do(&r,
		"Contact: <sip:1001@127.0.0.1:9>\r\n"));
	assert_non_null(strstr(r.chall, "Digest realm=\"" REALM "\""));
	assert_int_equal(1, S.ninvite_ok);
	assert_string_equal("1001", S.invite_user);
	assert_int_equal(EAUTH, S.invite_err);   /* the first, unsigned */
	raw_free(&r);

	pass_1001 = "wrong";
	raw_init(&r, "INVITE", "1001", "1001", false);
	assert_int_equal(403, raw_do(&r,
		"Contact: <sip:1001@127.0.0.1:9>\r\n"));
	assert_int_equal(EACCES, S.invite_err);
	assert_int_equal(1, S.ninvite_ok);
	raw_free(&r);
}

static void test_registrar_tcp(void **state)
{
	struct registrar_contact c[REG_CONTACTS_MAX];
	struct regc rc;

	(void)state;
	regc_start(&rc, "1001", "1001", 600, true);
	wait_event(&rc.nok, 1);
	assert_int_equal(1, S.nup);
	assert_int_equal(1, registrar_contacts(S.reg, "1001", c, 8));
	assert_int_equal(SIP_TRANSP_TCP, c[0].tp);
	assert_non_null(strstr(c[0].uri, ";transport=tcp"));
	rc.reg = mem_deref(rc.reg);
	wait_event(&S.ndown, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_registrar_register_succeeds, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_registrar_wrong_password, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_registrar_unknown_user_is_403, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_registrar_no_credentials_challenged, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_registrar_refresh_keeps_one_contact, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_registrar_two_clients_two_contacts, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_registrar_star_and_bare_client, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_registrar_expiry_by_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_registrar_expiry_by_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_registrar_stale_nonce, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_registrar_auth_invite, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_registrar_tcp, setup, teardown),
	};
	int err, rc;

	err = libre_init();
	if (err)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();
	return rc;
}
