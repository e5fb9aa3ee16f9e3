enum WeComPending {}
