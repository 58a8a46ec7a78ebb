/* What the kernel says about the calling process's scheduling, for ProcessAttributeTests:
   busybox has neither chrt nor ionice. One line each: scheduler (sched_getattr), I/O priority
   (ioprio_get), memory policy (get_mempolicy: mode with its flags, first word of the nodes). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

struct sched_attr_v1 {
    uint32_t size, policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime, deadline, period;
    uint32_t util_min, util_max;
};

int main(void)
{
    struct sched_attr_v1 a = {0};
    if (syscall(SYS_sched_getattr, 0, &a, sizeof a, 0) != 0) { perror("sched_getattr"); return 1; }
    long io = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
    if (io < 0) { perror("ioprio_get"); return 1; }
    int mode = -1;
    unsigned long nodes[16] = {0};
    if (syscall(SYS_get_mempolicy, &mode, nodes, 16 * 64, 0, 0) != 0) { perror("get_mempolicy"); return 1; }
    printf("sched policy=%u nice=%d priority=%u runtime=%llu deadline=%llu period=%llu\n", a.policy, a.nice, a.priority,
           (unsigned long long)a.runtime, (unsigned long long)a.deadline, (unsigned long long)a.period);
    printf("ioprio class=%ld level=%ld\n", io >> 13, io & 0x1fff);
    printf("mempolicy mode=%d nodes=0x%lx\n", mode, nodes[0]);
    return 0;
}
