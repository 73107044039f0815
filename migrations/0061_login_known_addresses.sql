-- Addresses a user has logged in from (issue 10, web/common/login_throttle.py): failures from
-- other addresses are capped per user, so a spray from many addresses cannot lock her out of
-- the addresses she uses.
CREATE TABLE login_known_addresses (
    username     TEXT NOT NULL,
    remote       TEXT NOT NULL,
    last_success TEXT NOT NULL,
    PRIMARY KEY (username, remote)
);
