package io.optsync.nifi.connector.sugarcrm;

/** SugarCRM sign-in; {@link #toString()} shows no secret. */
record SugarCredentials(String username, String password, String clientId, String clientSecret, String platform) {
    @Override
    public String toString() {
        return "SugarCredentials[" + username + ", platform " + platform + "]";
    }
}
