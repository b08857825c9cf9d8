<#import "template.ftl" as layout>
<@layout.registrationLayout displayMessage=true; section>
<#if section = "header">
    ${msg("breakGlassAttestTitle")}
<#elseif section = "form">
    <div id="bg-attest-intro" class="bg-banner" role="note" style="border:2px solid #c9190b;background:#faeaea;color:#7d1007;padding:0.75rem;margin-bottom:1rem;">
        ${msg("breakGlassAttestIntro")}<#if attest.drill> <strong>${msg("breakGlassAttestDrill")}</strong></#if>
        <#if (attest.waiting > 1)><br/>${msg("breakGlassAttestWaiting", attest.waiting?c)}</#if>
    </div>

    <dl id="bg-evidence" class="bg-evidence" style="display:grid;grid-template-columns:max-content 1fr;gap:0.25rem 1rem;margin-bottom:1rem;overflow-wrap:anywhere;">
        <dt>${msg("breakGlassReason")}</dt><dd id="bg-evidence-reason">${attest.reason}</dd>
        <dt>${msg("breakGlassTicket")}</dt><dd id="bg-evidence-ticket">${attest.ticket}</dd>
        <dt>${msg("breakGlassRoles")}</dt><dd id="bg-evidence-roles"><#list attest.roles as role>${role}<#sep>, </#list></dd>
        <dt>${msg("breakGlassAttestActivated")}</dt><dd>${attest.activatedAt}</dd>
        <dt>${msg("breakGlassAttestEnded")}</dt><dd>${attest.endedAt} (${attest.endReason!""})</dd>
        <dt>${msg("breakGlassAttestUses")}</dt><dd id="bg-evidence-uses">${attest.uses?c}</dd>
    </dl>
    <#if attest.actions?has_content>
        <p><strong>${msg("breakGlassAttestActions")}</strong></p>
        <ul id="bg-evidence-actions" style="margin-bottom:1rem;overflow-wrap:anywhere;">
            <#list attest.actions as action>
                <li>${action.time} &ndash; ${action.use} ${action.what}</li>
            </#list>
        </ul>
    </#if>

    <form id="bg-attest-form" class="${properties.kcFormClass!}" action="${url.loginAction}" method="post" novalidate="novalidate">
        <input type="hidden" name="grantId" value="${attest.grantId}"/>
        <#list ["necessary", "scopeCorrect", "allRemoved"] as question>
            <fieldset class="${properties.kcFormGroupClass!}">
                <legend class="${properties.kcLabelClass!}">${msg("breakGlassAttest_" + question)}</legend>
                <#assign answer = attest[question]>
                <label style="margin-right:1.5rem;"><input type="radio" id="${question}-yes" name="${question}" value="yes" <#if answer == "yes">checked</#if>/> ${msg("breakGlassAttestYes")}</label>
                <label><input type="radio" id="${question}-no" name="${question}" value="no" <#if answer == "no">checked</#if>/> ${msg("breakGlassAttestNo")}</label>
                <#if messagesPerField.existsError(question)>
                    <span id="input-error-${question}" class="${properties.kcInputErrorMessageClass!}" aria-live="polite">${kcSanitize(messagesPerField.get(question))?no_esc}</span>
                </#if>
            </fieldset>
        </#list>
        <div class="${properties.kcFormGroupClass!}">
            <label for="notes" class="${properties.kcLabelClass!}">${msg("breakGlassAttestNotes")}</label>
            <textarea id="notes" name="notes" rows="3" class="${properties.kcInputClass!}" maxlength="1000">${attest.notes}</textarea>
            <#if messagesPerField.existsError('notes')>
                <span id="input-error-notes" class="${properties.kcInputErrorMessageClass!}" aria-live="polite">${kcSanitize(messagesPerField.get('notes'))?no_esc}</span>
            </#if>
        </div>
        <div id="kc-form-buttons" class="${properties.kcFormButtonsClass!}">
            <input id="bg-attest" class="${properties.kcButtonClass!} ${properties.kcButtonPrimaryClass!} ${properties.kcButtonBlockClass!} ${properties.kcButtonLargeClass!}"
                type="submit" value="${msg("breakGlassAttestSubmit")}"/>
        </div>
    </form>
</#if>
</@layout.registrationLayout>
