enum SiyuServerPending {}
