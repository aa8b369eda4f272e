/* check_notify: the notify-keyspace-events flag string round trip and the
 * notification channel names. */
#include "pubsub/notify.h"
#include "engine/event.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static void roundtrip(const char *in, const char *want)
{
    int flags;
    char buf[32];
    ck_assert(ps_notify_parse(in, strlen(in), &flags));
    ps_notify_format(flags, buf);
    ck_assert_str_eq(buf, want);
}

START_TEST(flags_roundtrip)
{
    roundtrip("", "");
    roundtrip("Ex", "xE");
    roundtrip("KEA", "AKE");
    roundtrip("g$lshzxetdKE", "AKE");
    roundtrip("Kx", "xK");
    roundtrip("An", "An");
    roundtrip("nmEK$", "$KEmn");
}
END_TEST

START_TEST(flags_reject_unknown)
{
    int flags = 123;
    ck_assert(!ps_notify_parse("Q", 1, &flags));
    ck_assert_int_eq(flags, 123);
}
END_TEST

START_TEST(wanted_needs_k_or_e)
{
    int flags;
    ck_assert(ps_notify_parse("x", 1, &flags));
    ck_assert(!ps_notify_wanted(flags, NOTIFY_EXPIRED));
    ck_assert(ps_notify_parse("xE", 2, &flags));
    ck_assert(ps_notify_wanted(flags, NOTIFY_EXPIRED));
    ck_assert(!ps_notify_wanted(flags, NOTIFY_STRING));
}
END_TEST

START_TEST(channel_names)
{
    char buf[64];
    size_t n = ps_notify_channel(buf, sizeof(buf), false, 0, "expired", 7);
    ck_assert_uint_eq(n, strlen("__keyevent@0__:expired"));
    ck_assert(memcmp(buf, "__keyevent@0__:expired", n) == 0);
    n = ps_notify_channel(buf, sizeof(buf), true, 12, "a\0b", 3);
    ck_assert_uint_eq(n, strlen("__keyspace@12__:") + 3);
    ck_assert(memcmp(buf + n - 3, "a\0b", 3) == 0);
    ck_assert_uint_eq(ps_notify_channel(buf, 10, true, 0, "k", 1), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("notify");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;
    tcase_add_test(tc, flags_roundtrip);
    tcase_add_test(tc, flags_reject_unknown);
    tcase_add_test(tc, wanted_needs_k_or_e);
    tcase_add_test(tc, channel_names);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
