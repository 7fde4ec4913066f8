'use strict';
// The list filters that search (ProjectAutocompleteFilter): choosing or clearing a record submits the
// filter's form, which carries the list's other parameters as hidden fields. select2 itself is started by
// the admin's autocomplete.js (the select has the class admin-autocomplete).
{
    const $ = django.jQuery;
    $(function() {
        $('form.autocomplete-filter select').on('change', function() {
            if (!this.value) {
                this.removeAttribute('name');  // "all": no empty parameter in the URL
            }
            this.form.submit();
        });
    });
}
