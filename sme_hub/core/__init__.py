"""What every feature uses: auth, tenancy, audit, i18n, errors, money, pages, jobs."""
