/*
 * check_reply: every RESP writer under RESP2 and RESP3, deferred lengths,
 * the spill from the fixed buffer into blocks, and partial socket writes.
 */
#include "api/reply.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct reply *r;

static void setup(void)
{
    r = malloc(sizeof(*r));
    reply_init(r);
}

static void teardown(void)
{
    reply_deinit(r);
    free(r);
}

/* Takes the pending output and compares it with `want`. */
static void expect(const char *want)
{
    size_t len;
    char *got = reply_detach(r, &len);
    ck_assert_uint_eq(len, strlen(want));
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(scalars_resp2)
{
    r->proto = 2;
    reply_ok(r);
    reply_simple(r, "PONG");
    reply_int(r, 0);
    reply_int(r, -42);
    reply_bulk_ll(r, -9223372036854775807LL - 1);
    reply_null(r);
    reply_null_array(r);
    expect("+OK\r\n+PONG\r\n:0\r\n:-42\r\n$20\r\n-9223372036854775808\r\n$-1\r\n*-1\r\n");
}
END_TEST

START_TEST(binary_bulk_exact)
{
    size_t len;
    char *got;
    reply_bulk(r, "a\0b", 3);
    got = reply_detach(r, &len);
    ck_assert_uint_eq(len, 9);
    ck_assert(memcmp(got, "$3\r\na\0b\r\n", 9) == 0);
    free(got);
}
END_TEST

START_TEST(resp3_types_and_resp2_fallbacks)
{
    r->proto = 3;
    reply_null(r);
    reply_null_array(r);
    reply_map(r, 2);
    reply_set(r, 3);
    reply_push(r, 1);
    reply_attr(r, 1);
    reply_bool(r, true);
    reply_bool(r, false);
    reply_double(r, 1.5);
    reply_double(r, INFINITY);
    reply_double(r, -INFINITY);
    reply_bignum(r, "1234567890123456789012", 22);
    reply_verbatim(r, "hi", 2, "txt");
    expect("_\r\n_\r\n%2\r\n~3\r\n>1\r\n|1\r\n#t\r\n#f\r\n,1.5\r\n,inf\r\n,-inf\r\n(1234567890123456789012\r\n"
           "=6\r\ntxt:hi\r\n");
    r->proto = 2;
    reply_map(r, 2);
    reply_set(r, 3);
    reply_push(r, 1);
    reply_attr(r, 1);   /* attributes do not exist in RESP2: nothing written */
    reply_bool(r, true);
    reply_double(r, 1.5);
    reply_double(r, -INFINITY);
    reply_bignum(r, "12", 2);
    reply_verbatim(r, "hi", 2, "txt");
    expect("*4\r\n*3\r\n*1\r\n:1\r\n$3\r\n1.5\r\n$4\r\n-inf\r\n$2\r\n12\r\n$2\r\nhi\r\n");
}
END_TEST

START_TEST(errors_from_table_and_sanitized)
{
    reply_err(r, RE_WRONGTYPE);
    reply_err(r, RE_SYNTAX);
    reply_error(r, "ERR bad\r\nthing");
    reply_errorf(r, "ERR unknown command '%s'", "x");
    ck_assert_uint_eq(r->errors, 4);
    expect("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-ERR syntax error\r\n"
           "-ERR bad  thing\r\n-ERR unknown command 'x'\r\n");
}
END_TEST

START_TEST(deferred_lengths)
{
    void *a, *m;
    r->proto = 3;
    a = reply_defer(r);
    reply_int(r, 1);
    m = reply_defer(r);
    reply_bulk(r, "k", 1);
    reply_bulk(r, "v", 1);
    reply_set_map(r, m, 1);
    reply_set_array(r, a, 2);
    expect("*2\r\n:1\r\n%1\r\n$1\r\nk\r\n$1\r\nv\r\n");
    r->proto = 2;
    m = reply_defer(r);
    reply_set_map(r, m, 3);
    expect("*6\r\n");
}
END_TEST

START_TEST(muted_drops_all_but_pushes)
{
    void *slot;
    r->proto = 3;
    r->mute = 1;
    reply_ok(r);
    reply_bulk(r, "x", 1);
    reply_error(r, "ERR counted anyway");
    slot = reply_defer(r);
    ck_assert_ptr_null(slot);
    reply_int(r, 5);
    reply_set_array(r, slot, 1);
    ck_assert_uint_eq(reply_pending(r), 0);
    ck_assert_uint_eq(r->errors, 1);
    reply_push_begin(r);
    reply_push(r, 2);
    reply_bulk(r, "m", 1);
    slot = reply_defer(r);
    reply_int(r, 1);
    reply_set_array(r, slot, 1);
    reply_push_end(r);
    reply_simple(r, "dropped");
    expect(">2\r\n$1\r\nm\r\n*1\r\n:1\r\n");
    r->mute = 0;
    reply_ok(r);
    expect("+OK\r\n");
}
END_TEST

START_TEST(spills_past_fixed_buffer)
{
    size_t n = REPLY_BUF_SIZE * 5 + 17, len;
    char *big = malloc(n), *got;
    memset(big, 'x', n);
    reply_ok(r);
    reply_bulk(r, big, n);
    reply_ok(r);
    ck_assert_uint_eq(reply_pending(r), 5 + 8 + n + 2 + 5);
    got = reply_detach(r, &len);
    ck_assert_uint_eq(len, 5 + 8 + n + 2 + 5);
    ck_assert(memcmp(got, "+OK\r\n$81937\r\n", 13) == 0);
    ck_assert(memcmp(got + len - 7, "\r\n+OK\r\n", 7) == 0);
    free(got);
    free(big);
}
END_TEST

/* A non-blocking socket with a small buffer: reply_write must write what it
 * can, report would-block as 0, and resume where it stopped. */
START_TEST(partial_writes_resume)
{
    int sv[2], sndbuf = 4096;
    size_t n = 300000, got = 0;
    char *big = malloc(n), *in = malloc(n + 64);
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    reply_bulk(r, big, n);
    while (reply_pending(r)) {
        ssize_t w = reply_write(r, sv[0]);
        ck_assert_int_ge(w, 0);
        for (;;) {
            ssize_t k = recv(sv[1], in + got, n + 64 - got, MSG_DONTWAIT);
            if (k <= 0)
                break;
            got += (size_t)k;
        }
    }
    for (;;) {
        ssize_t k = recv(sv[1], in + got, n + 64 - got, MSG_DONTWAIT);
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    ck_assert_uint_eq(got, n + 11);
    ck_assert(memcmp(in, "$300000\r\n", 9) == 0);
    ck_assert(memcmp(in + 9, big, n) == 0);
    ck_assert(memcmp(in + 9 + n, "\r\n", 2) == 0);
    ck_assert_uint_eq(reply_pending(r), 0);
    close(sv[0]);
    close(sv[1]);
    free(big);
    free(in);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("reply");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, scalars_resp2);
    tcase_add_test(tc, binary_bulk_exact);
    tcase_add_test(tc, resp3_types_and_resp2_fallbacks);
    tcase_add_test(tc, errors_from_table_and_sanitized);
    tcase_add_test(tc, deferred_lengths);
    tcase_add_test(tc, muted_drops_all_but_pushes);
    tcase_add_test(tc, spills_past_fixed_buffer);
    tcase_add_test(tc, partial_writes_resume);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
