# SPDX-License-Identifier: GPL-2.0
# The emulated machine is what every other test assumes: a VHE KVM host
# with an architected PMUv3.
plan 3
log=$(dmesg_new)
check_match "KVM initialised in VHE mode" "$(echo "$log" | grep 'kvm \[' | grep -m1 'mode initialized')" \
	'VHE mode initialized successfully'
check_eq "/dev/kvm exists" "$([ -c /dev/kvm ] && echo yes || echo no)" yes
check_match "host PMU driver probed" "$(echo "$log" | grep -m1 'hw perfevents')" \
	'armv8_pmuv3.*counters available'
